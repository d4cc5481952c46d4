"""Writes shared by every app: the timeline."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import TimelineEvent


def timeline_record(
    *,
    subject: models.Model,
    verb: str,
    actor=None,
    message: str = "",
    from_state: str = "",
    to_state: str = "",
    internal: bool = False,
    data: dict | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        verb=verb,
        actor=actor if actor is not None and actor.is_authenticated else None,
        message=message,
        from_state=from_state,
        to_state=to_state,
        internal=internal,
        data=data or {},
    )


def timeline_for(subject: models.Model, *, include_internal: bool = True):
    qs = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).select_related("actor")
    return qs if include_internal else qs.filter(internal=False)
