"""The Region's de minimis register: one row per aid the programme granted (a signed agreement),
in the columns of the European transparency register, scoped like every staff page; a last
column gives the final amount (lowered after an early exit by the ledger's early-exit rule)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.closing_report import enrolment_final_aid_equivalent
from catalogue.deminimis import regulation_on
from catalogue.models import Funder, Tariff
from catalogue.pricing import tariff_aid_equivalent
from catalogue.selectors import deminimis_regulations
from consultants.models import HalfDay
from enrolment.models import Enrolment, GrantedAidTally

#: The granting bodies of the programme's funders, as the transparency register names them.
GRANTING_BODIES = {
    Funder.REGION: gettext_lazy("Région Rhône-Alpes"),
    Funder.STATE: gettext_lazy("État"),
    Funder.FSE: gettext_lazy("Fonds social européen"),
}


def register_headers() -> list[str]:
    """The transparency register's columns, in its order (French labels)."""
    return [
        _("Nom du bénéficiaire"),
        _("Identifiant du bénéficiaire (SIRET)"),
        _("Autorité d'octroi"),
        _("Date d'octroi"),
        _("Montant de l'aide (EUR)"),
        _("Règlement"),
        _("Montant définitif (EUR)"),
    ]


@dataclass(frozen=True)
class RegisterRow:
    beneficiary: str
    siret: str
    granting_body: str
    granted_on: dt.date
    amount: Decimal
    regulation: str
    relay: str
    final_amount: Decimal  # lower than `amount` after an early exit (the ledger's rule)

    @property
    def lowered(self) -> bool:
        return self.final_amount != self.amount

    def cells(self) -> list:
        return [
            self.beneficiary,
            self.siret,
            self.granting_body,
            self.granted_on,
            self.amount,
            self.regulation,
            self.final_amount,
        ]


def _granting_body(tariff) -> str:
    shares = [
        (Funder.REGION, tariff.regional_aid_ht),
        (Funder.STATE, tariff.state_aid_ht),
        (Funder.FSE, tariff.fse_aid_ht),
    ]
    return ", ".join(str(GRANTING_BODIES[f]) for f, share in shares if share)


def register_enrolments(
    *, user, start: dt.date | None = None, end: dt.date | None = None, relay=None
):
    """The enrolments whose aid was granted (agreement signed) within [start, end], of `relay`
    if given, that `user` may see; oldest first. The aid counts as granted on the signature
    date."""
    enrolments = Enrolment.objects.visible_to(user).filter(
        signed_at__isnull=False, tariff__isnull=False
    )
    if start:
        enrolments = enrolments.filter(signed_at__date__gte=start)
    if end:
        enrolments = enrolments.filter(signed_at__date__lte=end)
    if relay is not None:
        enrolments = enrolments.filter(company__relay=relay)
    return enrolments.order_by("signed_at", "pk")


def register_summary(enrolments, *, whole_programme: bool = False) -> dict:
    """How many aids and their total, per tariff: for the whole programme (`enrolments` are
    every aid granted), read from the tallies the database keeps; otherwise counted in one
    grouped query (not row by row)."""
    if whole_programme:
        counts = dict(
            GrantedAidTally.objects.filter(granted__gt=0).values_list("tariff_id", "granted")
        )
    else:
        per_tariff = enrolments.order_by().values("tariff").annotate(n=Count("pk"))
        counts = {row["tariff"]: row["n"] for row in per_tariff}
    tariffs = Tariff.objects.in_bulk(counts)
    return {
        "count": sum(counts.values()),
        "total": sum(
            (n * tariff_aid_equivalent(tariff=tariffs[pk]) for pk, n in counts.items()),
            Decimal("0.00"),
        ),
    }


def register_rows(enrolments) -> list[RegisterRow]:
    """The register's rows for these enrolments (a page, or all of them for an export)."""
    delivered = (
        HalfDay.objects.filter(mission__enrolment=OuterRef("pk"))
        .order_by()
        .values("mission__enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    enrolments = enrolments.select_related("company__relay", "tariff").annotate(
        delivered_half_days=Coalesce(Subquery(delivered), 0)
    )
    regulations = deminimis_regulations()
    rows = []
    for enrolment in enrolments:
        granted_on = timezone.localdate(enrolment.signed_at)
        regulation = regulation_on(regulations, granted_on)
        rows.append(
            RegisterRow(
                beneficiary=enrolment.company.name,
                siret=enrolment.company.siret,
                granting_body=_granting_body(enrolment.tariff),
                granted_on=granted_on,
                amount=tariff_aid_equivalent(tariff=enrolment.tariff),
                regulation=regulation.name if regulation else "",
                relay=enrolment.company.relay.name if enrolment.company.relay else "",
                final_amount=enrolment_final_aid_equivalent(
                    enrolment, delivered_half_days=enrolment.delivered_half_days
                ),
            )
        )
    return rows
