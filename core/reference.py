"""Reference data read by many pages (the diagnosis' themes, the de minimis regulations): a few
rows that change once in years, kept in each process' memory (the "reference" cache, Django's
local-memory backend) instead of being read at every request.

`reference_data(key, build)` answers from that cache, or calls `build()` and keeps its result
for `REFERENCE_CACHE_SECONDS` (0: no cache, the tests' default). `forget_when_changed(model, key)`
drops the kept value in the process that saves or deletes a row of `model`, at once and again
at the commit (a page read in between cannot keep the old rows); the other processes read the
new rows within `REFERENCE_CACHE_SECONDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")


def reference_data(key: str, build: Callable[[], T]) -> T:
    """The value of `build()` kept under `key` (rebuilt after a change of its rows)."""
    seconds = settings.REFERENCE_CACHE_SECONDS
    if seconds <= 0:
        return build()
    return caches["reference"].get_or_set(key, build, seconds)


def forget(key: str) -> None:
    caches["reference"].delete(key)


def forget_when_changed(model: type[models.Model], key: str) -> None:
    """Forget `key` when a row of `model` is saved or deleted (from an app's `ready()`)."""

    def changed(**kwargs) -> None:
        forget(key)
        transaction.on_commit(lambda: forget(key), using=kwargs.get("using"))

    for signal in (post_save, post_delete):
        signal.connect(changed, sender=model, weak=False, dispatch_uid=f"reference:{key}")
