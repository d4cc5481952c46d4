"""Reference data read by many pages (relays, départements, offers, the diagnosis' themes, the
de minimis regulations): a few rows that change once in years, kept in each process' memory
(the "reference" cache, Django's local-memory backend) instead of being read at every request.

`reference_data(key, build, model=…)` answers from that cache, or calls `build()` and keeps its
result for `REFERENCE_CACHE_SECONDS` (0: no cache, the tests' default). The process that saves
or deletes a row of its `model` forgets every value kept for that model, at once and again at
the commit (a page read in between cannot keep the old rows); the other processes read the new
rows within `REFERENCE_CACHE_SECONDS`.

`reference_rows(model)` keeps a whole table by primary key; `attach_reference(obj, *fields)`
hands an object's foreign keys their rows, as `select_related` would without joining their
tables (the dossier page's relay, département, offer and theme).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
#: the keys this process keeps, per model whose changes it watches
_keys: dict[type[models.Model], set[str]] = {}


def reference_data(key: str, build: Callable[[], T], *, model: type[models.Model]) -> T:
    """The value of `build()` kept under `key`, forgotten when a row of `model` changes."""
    seconds = settings.REFERENCE_CACHE_SECONDS
    if seconds <= 0:
        return build()
    if model not in _keys:
        _watch(model)
    _keys[model].add(key)
    return caches["reference"].get_or_set(key, build, seconds)


def reference_rows(model: type[models.Model]) -> dict[Any, models.Model]:
    """Every row of a (small) reference table by primary key."""
    return reference_data(
        f"rows:{model._meta.label_lower}",
        lambda: {row.pk: row for row in model._default_manager.all()},
        model=model,
    )


def attach_reference(obj: models.Model, *fields: str) -> None:
    """Set the foreign keys `fields` of `obj` to the rows they point at, each kept alone (one
    of a hundred relays costs no more than one of seven)."""
    for name in fields:
        field = obj._meta.get_field(name)
        pk = getattr(obj, field.attname)
        model = field.related_model
        row = (
            reference_data(
                f"row:{model._meta.label_lower}:{pk}",
                lambda model=model, pk=pk: model._default_manager.get(pk=pk),
                model=model,
            )
            if pk is not None
            else None
        )
        setattr(obj, name, row)


def _forget(keys: list[str]) -> None:
    caches["reference"].delete_many(keys)


def _watch(model: type[models.Model]) -> None:
    """Forget the keys kept for `model` in this process when one of its rows changes."""
    keys = _keys.setdefault(model, set())

    def changed(using=None, **kwargs) -> None:
        kept = list(keys)
        _forget(kept)
        transaction.on_commit(lambda: _forget(kept), using=using)

    for signal in (post_save, post_delete):
        signal.connect(
            changed,
            sender=model,
            weak=False,
            dispatch_uid=f"reference:{model._meta.label_lower}",
        )
