"""Changes to the catalogue: a tariff is saved only if it overlaps no other, and a tariff
already applied to enrolments is closed and replaced, never edited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.exceptions import BusinessRuleError

from .models import Tariff


def tariff_check(*, tariff: Tariff) -> None:
    """Refuse a tariff that overlaps another of the same offer, or changes a used one."""
    if tariff.valid_to is not None and tariff.valid_to < tariff.valid_from:
        raise BusinessRuleError(
            _("La fin de validité précède le début de validité."), field="valid_to"
        )
    far = dt.date.max
    overlapping = (
        Tariff.objects.filter(offer_id=tariff.offer_id)
        .exclude(pk=tariff.pk)
        .filter(valid_from__lte=tariff.valid_to or far)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=tariff.valid_from))
        .first()
    )
    if overlapping is not None:
        raise BusinessRuleError(
            _("Ce tarif chevauche le tarif du %(d)s de la même offre : fermez-le d'abord.")
            % {"d": overlapping.valid_from.strftime("%d/%m/%Y")},
            field="valid_from",
        )
    if tariff.pk is None:
        return
    before = Tariff.objects.get(pk=tariff.pk)
    if not before.enrolments.exists():
        return
    changed = [
        f.name
        for f in Tariff._meta.concrete_fields
        if f.name not in {"id", "valid_to"}
        and getattr(before, f.attname) != getattr(tariff, f.attname)
    ]
    if changed or (before.valid_to is not None and tariff.valid_to != before.valid_to):
        raise BusinessRuleError(
            _(
                "Ce tarif est déjà appliqué à des inscriptions : il ne peut pas être modifié, "
                "seulement fermé (date de fin) et remplacé par un nouveau tarif."
            )
        )


def tariff_save(*, tariff: Tariff) -> Tariff:
    with transaction.atomic():
        tariff_check(tariff=tariff)
        tariff.save()
    return tariff


def tariff_replace(*, tariff: Tariff, on: dt.date, **changes) -> Tariff:
    """Close `tariff` the day before `on` and open a new one from `on` with `changes`."""
    with transaction.atomic():
        if on <= tariff.valid_from:
            raise BusinessRuleError(
                _("Le nouveau tarif doit commencer après le début du tarif actuel."), field="on"
            )
        closed = Tariff.objects.select_for_update().get(pk=tariff.pk)
        closed.valid_to = on - dt.timedelta(days=1)
        closed.save(update_fields=["valid_to"])  # through save(): in the audit trail
        new = Tariff.objects.get(pk=tariff.pk)
        new.pk = None
        new.valid_from, new.valid_to = on, None
        for name, value in changes.items():
            setattr(new, name, value)
        return tariff_save(tariff=new)
