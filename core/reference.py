"""Reference data read by many pages (the diagnosis' themes, the de minimis regulations): a few
rows that change once in years, kept in each process' memory (the "reference" cache, Django's
local-memory backend) instead of being read at every request.

`reference_data(key, build, model=…)` answers from that cache, or calls `build()` and keeps its result
for `REFERENCE_CACHE_SECONDS` (0: no cache, the tests' default). The process that saves or
deletes a row of its `model` forgets the value at once and again at the commit (a page read in
between cannot keep the old rows); the other processes read the new rows within
`REFERENCE_CACHE_SECONDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
#: (model, key) whose changes this process already watches
_watched: set[tuple[type[models.Model], str]] = set()


def reference_data(key: str, build: Callable[[], T], *, model: type[models.Model]) -> T:
    """The value of `build()` kept under `key`, forgotten when a row of `model` changes."""
    seconds = settings.REFERENCE_CACHE_SECONDS
    if seconds <= 0:
        return build()
    if (model, key) not in _watched:
        _forget_when_changed(model, key)
    return caches["reference"].get_or_set(key, build, seconds)


def forget(key: str) -> None:
    caches["reference"].delete(key)


def _forget_when_changed(model: type[models.Model], key: str) -> None:
    """Forget `key` in this process when a row of `model` is saved or deleted."""

    def changed(**kwargs) -> None:
        forget(key)
        transaction.on_commit(lambda: forget(key), using=kwargs.get("using"))

    for signal in (post_save, post_delete):
        signal.connect(changed, sender=model, weak=False, dispatch_uid=f"reference:{key}")
    _watched.add((model, key))
