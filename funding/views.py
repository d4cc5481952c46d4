"""Pages about money: the relay ledger, payments, period close, the Region's dashboard."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consultants.models import Expert
from core.exceptions import BusinessRuleError
from core.models import Relay
from core.pagination import counted_page
from core.reauth import is_post, recent_authentication_required
from core.roles import STAFF_READER_ROLES, Role, has_role
from core.scoping import get_visible_or_404
from core.spreadsheets import FORMATS as EXPORT_FORMATS
from core.spreadsheets import spreadsheet_response
from core.submissions import (
    SubmissionForm,
    SubmissionReplayed,
    SubmissionResult,
    submission_once,
    submission_replay_response,
)
from enrolment.models import Company

from . import selectors, services
from .balances import relay_line_count
from .forms import InstalmentFilterForm, JournalFilter, PaymentForm, PeriodCloseForm
from .journal_table import journal_rows
from .ledger import closed_until
from .models import AidInstalment, JournalEntry, Payment


def _reader(user) -> None:
    if not has_role(user, STAFF_READER_ROLES):
        raise PermissionDenied


def _writer(user, relay) -> None:
    if not services.may_write_ledger(user=user, relay=relay):
        raise PermissionDenied


def _relay(request, slug: str) -> Relay:
    _reader(request.user)
    relay = get_visible_or_404(Relay.objects.all(), request.user, slug=slug)
    request.user.reuse_relay(relay)
    return relay


@login_required
def ledger_index(request):
    _reader(request.user)
    if request.user.role == Role.RELAY_STAFF:
        return redirect("funding:ledger", slug=request.user.relay.slug)
    relays = Relay.objects.visible_to(request.user).order_by("name")
    return render(request, "funding/ledger_index.html", {"relays": relays})


@login_required
def ledger(request, slug: str):
    relay = _relay(request, slug)
    payments = (
        Payment.objects.visible_to(request.user)
        .filter(relay=relay)
        .select_related("company", "consultant__user", "recorded_by")[:10]
    )
    return render(
        request,
        "funding/ledger.html",
        {
            "relay": relay,
            "accounts": selectors.account_balances_explained(relay=relay),
            "payments": payments,
            "closed_until": closed_until(relay),
            "can_write": services.may_write_ledger(user=request.user, relay=relay),
            "close_form": PeriodCloseForm(),
            "companies": Company.objects.visible_to(request.user)
            .filter(relay=relay)
            .order_by("name"),
            "consultants": selectors.payable_consultants(relay=relay),
        },
    )


def _journal_choices(request, relay):
    companies = Company.objects.visible_to(request.user).filter(relay=relay).order_by("name")
    consultants = selectors.payable_consultants(relay=relay)
    return companies, consultants


JOURNAL_HEADERS = [
    gettext_lazy("N°"),
    gettext_lazy("Date"),
    gettext_lazy("Libellé"),
    gettext_lazy("Compte"),
    gettext_lazy("Débit"),
    gettext_lazy("Crédit"),
    gettext_lazy("Entreprise"),
    gettext_lazy("Consultant"),
    gettext_lazy("Référence du paiement"),
    gettext_lazy("Événement"),
    gettext_lazy("Message outbox"),
    gettext_lazy("Auteur"),
]


@login_required
@recent_authentication_required(when=lambda request: request.GET.get("format") in EXPORT_FORMATS)
def journal(request, slug: str):
    relay = _relay(request, slug)
    companies, consultants = _journal_choices(request, relay)
    filterset = JournalFilter(
        request.GET or None,
        queryset=selectors.journal_lines(user=request.user, relay=relay),
        companies=companies,
        consultants=consultants,
    )
    lines = filterset.qs
    fmt = request.GET.get("format")
    if fmt in EXPORT_FORMATS:
        rows = [
            [
                ln.entry_id,
                ln.entry.date,
                ln.entry.label,
                ln.account.code,
                ln.debit,
                ln.credit,
                ln.company.name if ln.company else "",
                str(ln.consultant) if ln.consultant else "",
                getattr(getattr(ln.entry, "payment", None), "reference", ""),
                ln.entry.event_kind,
                ln.entry.outbox_message.key if ln.entry.outbox_message else "",
                ln.entry.author.email if ln.entry.author else "",
            ]
            for ln in lines.select_related(*selectors.JOURNAL_EXPORT_RELATED).iterator(
                chunk_size=2000
            )
        ]
        return spreadsheet_response(
            title=f"journal-{relay.slug}", headers=JOURNAL_HEADERS, rows=rows, fmt=fmt
        )
    unfiltered = not filterset.is_bound or (
        filterset.form.is_valid() and not any(filterset.form.cleaned_data.values())
    )
    page = selectors.journal_page(
        lines,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        number=request.GET.get("page"),
        # the whole journal: its line count is kept with the balances
        total=relay_line_count(relay) if unfiltered else None,
    )
    query = request.GET.copy()
    for key in ("after", "before", "page"):
        query.pop(key, None)
    return render(
        request,
        "funding/journal.html",
        {
            "relay": relay,
            "filter": filterset,
            "page": page,
            "rows_html": journal_rows(page.rows),
            "query": query.urlencode(),
        },
    )


@login_required
def company_statement(request, slug: str, pk: int):
    relay = _relay(request, slug)
    company = get_visible_or_404(Company.objects.filter(relay=relay), request.user, pk=pk)
    lines, balance = selectors.statement(
        user=request.user, relay=relay, account_code="411", company=company
    )
    return render(
        request,
        "funding/statement.html",
        {
            "relay": relay,
            "party": company.name,
            "lines": lines,
            "balance": balance,
            "kind": _("entreprise"),
        },
    )


@login_required
def consultant_statement(request, slug: str, pk: int):
    relay = _relay(request, slug)
    expert = get_visible_or_404(Expert.objects.select_related("user"), request.user, pk=pk)
    lines, balance = selectors.statement(
        user=request.user, relay=relay, account_code="401", consultant=expert
    )
    return render(
        request,
        "funding/statement.html",
        {
            "relay": relay,
            "party": str(expert),
            "lines": lines,
            "balance": -balance,
            "kind": _("consultant"),
            "payable": True,
        },
    )


def _payment_result_url(payment: Payment) -> str:
    if payment.company_id:
        return reverse("funding:company_statement", args=[payment.relay.slug, payment.company_id])
    return reverse("funding:ledger", args=[payment.relay.slug])


@login_required
@recent_authentication_required
def payment_create(request, slug: str):
    relay = _relay(request, slug)
    _writer(request.user, relay)
    companies, _consultants = _journal_choices(request, relay)
    consultants = Expert.objects.consultants().select_related("user").order_by("user__last_name")
    form = PaymentForm(request.POST or None, companies=companies, consultants=consultants)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = submission_once(
                key=form.submission_key,
                user=request.user,
                action="funding.payment",
                perform=lambda: services.payment_record(
                    relay=relay,
                    kind=data["kind"],
                    date=data["date"],
                    amount=data["amount"],
                    reference=data["reference"],
                    company=data.get("company"),
                    consultant=data.get("consultant"),
                    overpayment_reason=data.get("overpayment_reason", ""),
                    by=request.user,
                ),
                result=lambda payment: SubmissionResult(
                    url=_payment_result_url(payment),
                    message=_("Paiement enregistré (écriture n° %(n)s).") % {"n": payment.entry_id},
                ),
            )
        except SubmissionReplayed as replayed:
            return submission_replay_response(
                request, replayed, fallback=reverse("funding:ledger", args=[relay.slug])
            )
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Paiement enregistré (écriture n° %(n)s).") % {"n": payment.entry_id},
            )
            return redirect(_payment_result_url(payment))
    return render(request, "funding/payment_form.html", {"relay": relay, "form": form})


@login_required
@require_POST
def period_close(request, slug: str):
    """Closing a period is irreversible: the first POST shows what it locks, the second closes."""
    relay = _relay(request, slug)
    _writer(request.user, relay)
    form = PeriodCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez une date de clôture valide."))
        return redirect("funding:ledger", slug=relay.slug)
    until = form.cleaned_data["until"]
    if request.POST.get("confirm") != "1":
        lock = closed_until(relay)
        entries = JournalEntry.objects.filter(relay=relay, date__lte=until)
        if lock is not None:
            entries = entries.filter(date__gt=lock)
        return render(
            request,
            "funding/period_close_confirm.html",
            {
                "relay": relay,
                "until": until,
                "closed_until": lock,
                "entry_count": entries.count(),
            },
        )
    try:
        services.period_close(relay=relay, until=until, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Période clôturée jusqu'au %(d)s inclus.") % {"d": until.strftime("%d/%m/%Y")},
        )
    return redirect("funding:ledger", slug=relay.slug)


INSTALMENTS_PAGE_SIZE = 50


def _instalments_back(request) -> str:
    """The list with the filters the approval was made from (a query string, never a host)."""
    query = QueryDict(request.POST.get("back", ""), mutable=True)
    query.pop("page", None)
    url = reverse("funding:instalments")
    return f"{url}?{query.urlencode()}" if query else url


@login_required
@recent_authentication_required(when=is_post)
def instalments(request):
    """Regional aid instalments, filtered; the Region approves the due ones in bulk, after a
    confirmation that states how many and the total."""
    _reader(request.user)
    can_approve = services.may_approve_instalments(user=request.user)
    if request.method == "POST":
        if not can_approve:
            raise PermissionDenied
        back = _instalments_back(request)
        ids = [int(i) for i in request.POST.getlist("instalment") if i.isdigit()]
        visible = AidInstalment.objects.visible_to(request.user).filter(pk__in=ids)
        once = SubmissionForm(request.POST)
        once.is_valid()
        if request.POST.get("confirm") != "1":
            chosen = list(
                visible.filter(status=AidInstalment.Status.DUE)
                .select_related("relay", "enrolment__company")
                .order_by("due_on", "pk")
            )
            if not chosen:
                messages.error(request, _("Sélectionnez au moins une échéance exigible."))
                return redirect(back)
            return render(
                request,
                "funding/instalments_confirm.html",
                {
                    "rows": chosen,
                    "total": sum((i.amount for i in chosen), Decimal("0.00")),
                    # the list's key carried on (a fresh one if the post had none)
                    "once": once if once.submission_key else SubmissionForm(),
                    "back": request.POST.get("back", ""),
                    "back_url": back,
                },
            )
        try:
            count = submission_once(
                key=once.submission_key,
                user=request.user,
                action="funding.instalments_approve",
                perform=lambda: services.aid_instalments_approve(
                    instalment_ids=visible.values_list("pk", flat=True), by=request.user
                ),
                result=lambda count: SubmissionResult(
                    url=back,
                    message=_("%(n)s échéance(s) approuvée(s).") % {"n": count},
                ),
            )
        except SubmissionReplayed as replayed:
            return submission_replay_response(request, replayed, fallback=back)
        messages.success(request, _("%(n)s échéance(s) approuvée(s).") % {"n": count})
        return redirect(back)
    relays = Relay.objects.visible_to(request.user).order_by("name")
    form = InstalmentFilterForm(request.GET or None, relays=relays)
    selected = form.filter(
        AidInstalment.objects.visible_to(request.user).exclude(
            status=AidInstalment.Status.SCHEDULED
        )
    )
    due = Q(status=AidInstalment.Status.DUE)
    summary = selected.aggregate(
        count=Count("pk"),
        total=Coalesce(Sum("amount"), Decimal("0.00")),
        due_count=Count("pk", filter=due),
        due_total=Coalesce(Sum("amount", filter=due), Decimal("0.00")),
    )
    rows = (
        selected.select_related("relay", "enrolment__company", "approved_by")
        .with_overdue_flag(today=timezone.localdate())
        .order_by("due_on", "pk")
    )
    page = counted_page(
        rows, per_page=INSTALMENTS_PAGE_SIZE, count=summary["count"], number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding/instalments.html",
        {
            "page": page,
            "form": form,
            "summary": summary,
            "query": query.urlencode(),
            "can_approve": can_approve,
            "once": SubmissionForm(),
        },
    )
