"""Money: the cost-sharing ledger of each relay (accounts, entries, payments, instalments)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Funder
from core.audit import AuditedHistory
from core.money import format_eur
from core.scoping import ScopedQuerySet

# --- The cost-sharing ledger (one chart of accounts per relay) -------------------------------

#: The chart of accounts every relay gets (code, French name).
CHART_OF_ACCOUNTS: list[tuple[str, str]] = [
    ("411", _("Entreprises — participations à recevoir")),
    ("441", _("Région — aides à recevoir")),
    ("442", _("Autres financeurs (État, FSE) — aides à recevoir")),
    ("401", _("Consultants — honoraires à payer")),
    ("512", _("Banque")),
    ("706", _("Participations des entreprises")),
    ("740", _("Aide régionale")),
    ("741", _("Autres aides (État, FSE)")),
    ("604", _("Honoraires de conseil")),
    ("44571", _("TVA collectée")),
]


class RelayScopedQuerySet(ScopedQuerySet):
    """Ledger rows belong to one relay: its staff see theirs; director, Region, admin see all."""

    relay_field = "relay_id"

    def for_relay_staff(self, user):
        return self.filter(**{self.relay_field: user.relay_id})


class AccountQuerySet(RelayScopedQuerySet):
    pass


class Account(models.Model):
    """An account of one relay's chart (411, 441, 512, …)."""

    relay = models.ForeignKey(
        "core.Relay", on_delete=models.PROTECT, related_name="accounts", verbose_name=_("relais")
    )
    code = models.CharField(_("numéro"), max_length=8)
    name = models.CharField(_("intitulé"), max_length=120)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["relay", "code"]
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        constraints = [
            models.UniqueConstraint(fields=["relay", "code"], name="account_code_unique_per_relay")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalEntryQuerySet(RelayScopedQuerySet):
    pass


class JournalEntry(models.Model):
    """One posting: balanced lines, immutable, caused by exactly one business event."""

    relay = models.ForeignKey(
        "core.Relay", on_delete=models.PROTECT, related_name="journal_entries"
    )
    date = models.DateField(_("date"), db_index=True)
    label = models.CharField(_("libellé"), max_length=255)
    event_kind = models.CharField(_("événement"), max_length=80)
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=200, unique=True)
    outbox_message = models.ForeignKey(
        "core.OutboxMessage",
        verbose_name=_("message d'origine"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_entries",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("contrepasse l'écriture"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrige l'écriture"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("écriture")
        verbose_name_plural = _("écritures")
        # (relay, date, id): the journal's newest-first pages read it backwards and stop.
        indexes = [models.Index(fields=["relay", "date", "id"], name="journalentry_relay_date_id")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Une écriture comptable ne se modifie pas : contrepassez-la.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Une écriture comptable ne se supprime pas : contrepassez-la.")


class JournalLineQuerySet(RelayScopedQuerySet):
    # The entry's relay (the same as the account's): pages list a relay's lines by entry
    # date, and the same condition twice lets PostgreSQL read the (relay, date, id) index.
    relay_field = "entry__relay_id"


class JournalLine(models.Model):
    """A debit or a credit on one account, with optional company/consultant/enrolment."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = models.DecimalField(_("débit"), max_digits=14, decimal_places=2, default=Decimal("0"))
    credit = models.DecimalField(_("crédit"), max_digits=14, decimal_places=2, default=Decimal("0"))
    funder = models.CharField(_("financeur"), max_length=10, choices=Funder.choices, blank=True)
    company = models.ForeignKey(
        "enrolment.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consultant = models.ForeignKey(
        "consultants.Expert", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = JournalLineQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "pk"]
        verbose_name = _("ligne d'écriture")
        verbose_name_plural = _("lignes d'écriture")
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="journalline_one_positive_side",
            )
        ]
        indexes = [
            models.Index(fields=["account", "company"]),
            models.Index(fields=["account", "consultant"]),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} D {self.debit} C {self.credit}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Une ligne d'écriture ne se modifie pas : contrepassez l'écriture.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Une ligne d'écriture ne se supprime pas : contrepassez l'écriture.")


class PeriodCloseQuerySet(RelayScopedQuerySet):
    pass


class PeriodClose(models.Model):
    """A relay's books are closed up to a date: no entry may be dated on or before it."""

    relay = models.ForeignKey("core.Relay", on_delete=models.PROTECT, related_name="period_closes")
    closed_until = models.DateField(_("clôturé jusqu'au (inclus)"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PeriodCloseQuerySet.as_manager()

    class Meta:
        ordering = ["relay", "-closed_until"]
        verbose_name = _("clôture de période")
        verbose_name_plural = _("clôtures de période")
        constraints = [
            models.UniqueConstraint(fields=["relay", "closed_until"], name="period_close_unique")
        ]

    def __str__(self) -> str:
        return f"{self.relay_id} ≤ {self.closed_until}"


class PaymentQuerySet(RelayScopedQuerySet):
    pass


class Payment(models.Model):
    """Money that moved: received from a company or the Region, paid to a consultant."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Règlement d'une entreprise")
        REGION = "region", _("Versement de la Région")
        CONSULTANT = "consultant", _("Paiement d'un consultant")

    relay = models.ForeignKey("core.Relay", on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("référence"), max_length=100)
    company = models.ForeignKey(
        "enrolment.Company",
        verbose_name=_("entreprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consultant = models.ForeignKey(
        "consultants.Expert",
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_before = models.DecimalField(_("restant dû avant"), max_digits=14, decimal_places=2)
    overpayment = models.DecimalField(
        _("trop-perçu / trop-versé"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    overpayment_reason = models.TextField(_("motif du dépassement"), blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PaymentQuerySet.as_manager()
    history = AuditedHistory(
        label=_("Paiement"),
        describe=lambda p: f"{p.get_kind_display()} {format_eur(p.amount)} ({p.reference})",
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.reference})"


#: Days a due instalment of regional aid may stay unpaid before it is overdue, unless
#: settings.REMINDER_DELAYS["payment_overdue"] says otherwise (the reminder uses the same).
INSTALMENT_OVERDUE_DAYS = 30


def instalment_overdue_days() -> int:
    return int(settings.REMINDER_DELAYS.get("payment_overdue", INSTALMENT_OVERDUE_DAYS))


class AidInstalmentQuerySet(RelayScopedQuerySet):
    def unpaid(self):
        return self.filter(status__in=AidInstalment.UNPAID)

    @staticmethod
    def overdue_condition(*, today: dt.date, days: int | None = None) -> Q:
        """When an instalment is overdue: due (or approved) `days` days ago or earlier
        (`instalment_overdue_days()` by default) and still not paid by the Region."""
        days = instalment_overdue_days() if days is None else days
        return Q(status__in=AidInstalment.UNPAID, due_on__lte=today - dt.timedelta(days=days))

    def overdue(self, *, today: dt.date, days: int | None = None):
        return self.filter(self.overdue_condition(today=today, days=days))

    def with_overdue_flag(self, *, today: dt.date):
        """Each instalment with `is_overdue` (the list of instalments shows a badge)."""
        return self.annotate(
            is_overdue=Case(
                When(self.overdue_condition(today=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )


class AidInstalment(models.Model):
    """One instalment of the regional aid for an enrolment (advance, balance), per the tariff."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Avance à la signature")
        BALANCE = "balance", _("Solde à la clôture")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Prévue")
        DUE = "due", _("Exigible")
        APPROVED = "approved", _("Approuvée par la Région")
        PAID = "paid", _("Versée")
        CANCELLED = "cancelled", _("Annulée")

    #: Statuses of an instalment the Region owes and has not paid yet.
    UNPAID = (Status.DUE, Status.APPROVED)

    relay = models.ForeignKey("core.Relay", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "enrolment.Enrolment", on_delete=models.PROTECT, related_name="aid_instalments"
    )
    kind = models.CharField(_("échéance"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    due_on = models.DateField(_("exigible le"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("versée le"), null=True, blank=True)
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("versement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instalments",
    )

    objects = AidInstalmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("échéance d'aide régionale")
        verbose_name_plural = _("échéances d'aide régionale")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind"], name="one_instalment_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.get_status_display()})"


# --- What the Region watches: the target, its milestones and the budget envelope -------------


# --- Pre-aggregated ledger: what the dashboard and the ledger page read ----------------------


class AccountBalanceQuerySet(RelayScopedQuerySet):
    relay_field = "account__relay_id"


class AccountBalance(models.Model):
    """Debits, credits and line counts of one account, month and funder (funding.balances).

    Maintained by `funding.ledger.entry_post` in the transaction that posts the lines
    (lines are insert-only, so adding is enough); `funding.balances.balances_rebuild`
    recomputes it from the lines.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    month = models.DateField(_("mois"))
    funder = models.CharField(_("financeur"), max_length=10, blank=True)
    debit = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    credit = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    debit_lines = models.PositiveIntegerField(default=0)
    credit_lines = models.PositiveIntegerField(default=0)

    objects = AccountBalanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("solde mensuel d'un compte")
        verbose_name_plural = _("soldes mensuels des comptes")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month", "funder"], name="account_balance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%m/%Y} {self.funder}"
