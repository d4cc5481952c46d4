"""Prices of the programme: the one place that computes what a company's consulting costs.

HT, VAT, TTC, the Region's share, the other public funders' shares, the Region's advance and
balance, and an offer's aid equivalent (the public funders' shares, de minimis aid) are computed
here and nowhere else: the offer page, the agreement, the ledger and the API all read a `Price`.

**Which VAT rate applies.** The rate in force on the day the relay validates the enrolment
(offer chosen → validated). Validation freezes it on the enrolment (`Enrolment.vat_rate`), and
the agreement, the ledger postings at signature, the API and every page after validation use
that frozen rate, whatever rate is in force when the agreement is signed or paid: the company
pays the TTC its agreement states. Before validation (the offer page, an enrolment still being
prepared) the rate in force today is shown, the one validation today would freeze.

**Rounding.** Every computed amount is rounded once, to the cent, half up (`ROUND_HALF_UP`, as
`core.money.to_cents`): the VAT on the company's HT contribution, each funder's advance. TTC is
HT + VAT and a balance is share − advance, sums of amounts already rounded, so the figures on a
page, in the agreement and in the ledger add up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from core.money import to_cents

from .models import Funder
from .selectors import vat_rate_in_force

HUNDRED = Decimal("100")
ZERO = Decimal("0.00")

#: Early-exit rules: what each public funder keeps of its share when the company leaves after
#: signing (settings.FUNDING_EARLY_EXIT_RULE; docs/financement.md). The ledger posts the
#: cancellation of the rest; the closing report and the de minimis register show what is kept.
EARLY_EXIT_PRORATA_KEEP_ADVANCE = "prorata_keep_advance"
EARLY_EXIT_ADVANCE_ONLY = "advance_only"
EARLY_EXIT_KEEP_ALL = "keep_all"


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded to the cent half up."""
    return to_cents(Decimal(amount) * Decimal(percent) / HUNDRED)


@dataclass(frozen=True)
class Price:
    """What one company's consulting costs under a tariff, and who pays what (EUR)."""

    company_ht: Decimal
    vat_rate: Decimal
    vat: Decimal
    regional_aid: Decimal
    state_aid: Decimal
    fse_aid: Decimal
    advance_percent: Decimal

    @property
    def company_ttc(self) -> Decimal:
        return self.company_ht + self.vat

    @property
    def other_aid(self) -> Decimal:
        """The public funders' shares other than the Region's (State, FSE)."""
        return self.state_aid + self.fse_aid

    @property
    def aid_equivalent(self) -> Decimal:
        """The public funders' shares: the aid the company receives (de minimis)."""
        return self.regional_aid + self.other_aid

    @property
    def total_cost_ht(self) -> Decimal:
        return self.company_ht + self.aid_equivalent

    def advance_of(self, share: Decimal) -> Decimal:
        """The part of a funder's share paid at signature (the tariff's advance percentage)."""
        return percent_of(share, self.advance_percent)

    @property
    def regional_advance(self) -> Decimal:
        return self.advance_of(self.regional_aid)

    @property
    def regional_balance(self) -> Decimal:
        return self.regional_aid - self.regional_advance

    @property
    def public_shares(self) -> list[tuple[str, Decimal]]:
        """(funder, share) for each public funder, the Region first."""
        return [
            (Funder.REGION, self.regional_aid),
            (Funder.STATE, self.state_aid),
            (Funder.FSE, self.fse_aid),
        ]


def tariff_price(*, tariff, vat_rate: Decimal) -> Price:
    """The price of `tariff` with VAT at `vat_rate` %."""
    company_ht = to_cents(tariff.company_contribution_ht)
    return Price(
        company_ht=company_ht,
        vat_rate=Decimal(vat_rate),
        vat=percent_of(company_ht, vat_rate),
        regional_aid=to_cents(tariff.regional_aid_ht),
        state_aid=to_cents(tariff.state_aid_ht),
        fse_aid=to_cents(tariff.fse_aid_ht),
        advance_percent=Decimal(tariff.regional_advance_percent),
    )


def half_day_fee(*, consultant_rate: Decimal | None, tariff) -> Decimal | None:
    """A consultant's fee per half-day (HT): their own rate, else the programme-wide rate of
    the enrolment's tariff; None when neither is known."""
    if consultant_rate is None and tariff is not None:
        consultant_rate = tariff.consultant_half_day_rate
    return None if consultant_rate is None else to_cents(consultant_rate)


def enrolment_vat_rate(enrolment, *, today_rate: Decimal | None = None) -> Decimal:
    """The rate frozen at validation, or (not validated yet) the rate in force today.

    `today_rate` saves the query when many enrolments are priced at once (a list).
    """
    if enrolment.vat_rate is not None:
        return enrolment.vat_rate
    return today_rate if today_rate is not None else vat_rate_in_force()


def enrolment_price(enrolment, *, today_rate: Decimal | None = None) -> Price | None:
    """The price of an enrolment's tariff at its VAT rate (None before an offer is chosen)."""
    if enrolment.tariff_id is None:
        return None
    return tariff_price(
        tariff=enrolment.tariff, vat_rate=enrolment_vat_rate(enrolment, today_rate=today_rate)
    )


def tariff_aid_equivalent(*, tariff) -> Decimal:
    """The aid equivalent of an offer under `tariff` (de minimis): the public funders' shares
    HT — the Region's, the State's and the FSE's —, each rounded to the cent. VAT plays no
    part: the company pays it on its own contribution only."""
    return (
        to_cents(tariff.regional_aid_ht)
        + to_cents(tariff.state_aid_ht)
        + to_cents(tariff.fse_aid_ht)
    )


def enrolment_aid_equivalent(enrolment) -> Decimal | None:
    """The aid equivalent of an enrolment's tariff (None before an offer is chosen)."""
    if enrolment.tariff_id is None:
        return None
    return tariff_aid_equivalent(tariff=enrolment.tariff)


def early_exit_rule() -> str:
    """The early-exit rule in force (settings.FUNDING_EARLY_EXIT_RULE)."""
    return getattr(settings, "FUNDING_EARLY_EXIT_RULE", EARLY_EXIT_PRORATA_KEEP_ADVANCE)


@dataclass(frozen=True)
class KeptShare:
    """What one public funder keeps of its share on an early exit."""

    funder: str
    share: Decimal
    advance: Decimal
    kept: Decimal

    @property
    def cancelled(self) -> Decimal:
        return self.share - self.kept


def aid_kept_on_early_exit(
    price: Price, *, planned: int, delivered: int, rule: str | None = None
) -> list[KeptShare]:
    """Each public funder's share kept when the company leaves after signing, `delivered` of
    the `planned` half-days done (funders with no share are left out), under `rule`:

    - `prorata_keep_advance` (default): the larger of the advance and the share pro rata of
      the half-days delivered (capped at the planned count), rounded to the cent;
    - `advance_only`: the advance;
    - `keep_all`: the whole share.
    """
    rule = rule or early_exit_rule()
    kept_shares = []
    for funder, share in price.public_shares:
        if not share:
            continue
        advance = price.advance_of(share)
        if rule == EARLY_EXIT_KEEP_ALL:
            kept = share
        else:
            kept = advance
            if rule == EARLY_EXIT_PRORATA_KEEP_ADVANCE and planned:
                kept = max(advance, to_cents(share * min(delivered, planned) / planned))
        kept_shares.append(KeptShare(funder=funder, share=share, advance=advance, kept=kept))
    return kept_shares


def final_aid_equivalent(
    *, tariff, early_exit: bool, delivered_half_days: int = 0, rule: str | None = None
) -> Decimal:
    """The aid equivalent the company finally receives under `tariff`: the offer's whole aid
    equivalent, or after an early exit (withdrawn after signing) the shares the funders keep
    under the early-exit rule. VAT plays no part (public shares are HT)."""
    if not early_exit:
        return tariff_aid_equivalent(tariff=tariff)
    price = tariff_price(tariff=tariff, vat_rate=ZERO)
    kept = aid_kept_on_early_exit(
        price, planned=tariff.half_days or 0, delivered=delivered_half_days, rule=rule
    )
    return sum((k.kept for k in kept), ZERO)
