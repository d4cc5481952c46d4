"""The Region's dashboard: enrolments against the target, money committed and paid per
funder and relay, consultants, continuation and training; cached per scope and period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pygal
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pygal.style import Style

from collective.followups import continuation_rate
from consultants.models import Expert, Mission
from consultants.training import pilots_trained_count
from core.charts import accessible_svg, series_desc
from core.models import Departement
from core.money import to_cents
from enrolment.models import Enrolment, EnrolmentState
from funding.balances import ledger_totals
from funding.models import Account, AidInstalment, Funder

from .models import ProgrammeTarget

ZERO = Decimal("0.00")


@dataclass
class Table:
    """A dashboard table: what the page shows, what the exports write, what a chart draws."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart: str = ""


COUNTED_OUT = ("draft", "ineligible")


def _period(qs, lookup: str, start, end):
    if start:
        qs = qs.filter(**{f"{lookup}__gte": start})
    if end:
        qs = qs.filter(**{f"{lookup}__lte": end})
    return qs


def _chart(kind, title, series: list[tuple[str, list]], labels: list[str], **opts) -> str:

    style = Style(
        background="white",
        plot_background="white",
        colors=("#0b3954", "#f2a900", "#087e8b", "#c8553d", "#6c757d"),
        font_family="Inter, Arial, sans-serif",
    )
    chart = kind(
        js=[],
        style=style,
        title=str(title),
        width=720,
        height=340,
        legend_at_bottom=True,
        disable_xml_declaration=True,
        print_values=False,
        x_label_rotation=20 if len(labels) > 6 else 0,
        **opts,
    )
    chart.x_labels = [str(label) for label in labels]
    for name, values in series:
        chart.add(str(name), [float(v) if isinstance(v, Decimal) else v for v in values])

    desc = series_desc([(str(name), values) for name, values in series], chart.x_labels)
    return accessible_svg(chart.render(is_unicode=True), title=str(title), desc=desc)


def dashboard_enrolments(*, user, start=None, end=None) -> dict:
    """Enrolments against the target and its milestones, with a forecast (3 queries)."""

    target = ProgrammeTarget.objects.prefetch_related("milestones").order_by("pk").first()
    milestones = list(target.milestones.all()) if target else []
    qs = _period(
        Enrolment.objects.visible_to(user).exclude(state__in=COUNTED_OUT),
        "submitted_at__date",
        start,
        end,
    )
    aggregates = {
        "total": Count("pk"),
        "withdrawn": Count("pk", filter=Q(state=EnrolmentState.WITHDRAWN)),
        "signed": Count("pk", filter=Q(signed_at__isnull=False)),
        "first": Min("submitted_at"),
    }
    for m in milestones:
        aggregates[f"m{m.pk}"] = Count("pk", filter=Q(submitted_at__date__lte=m.due_on))
    figures = qs.aggregate(**aggregates)
    today = timezone.localdate()
    goal = target.target_enrolments if target else 0
    forecast = None
    if figures["first"] and figures["total"]:
        days = max((today - timezone.localdate(figures["first"])).days, 1)
        pace = Decimal(figures["total"]) / Decimal(days)  # enrolments per day
        remaining = max(goal - figures["total"], 0)
        forecast = today + dt.timedelta(days=int((Decimal(remaining) / pace).to_integral_value()))
    progress = [(m, figures[f"m{m.pk}"]) for m in milestones]
    return {
        "target": target,
        "goal": goal,
        "total": figures["total"],
        "withdrawn": figures["withdrawn"],
        "signed": figures["signed"],
        "percent": round(100 * figures["total"] / goal, 1) if goal else None,
        "forecast": forecast,
        "progress": progress,
    }


def dashboard_scope(*, user, start=None, end=None) -> str:
    """What the dashboard's figures depend on: who (everything or one relay), period, language."""

    who = "all" if user.sees_everything else f"relay-{user.role}-{user.relay_id}"
    return f"{who}:{start}:{end}:{get_language()}"


def dashboard_cached(*, user, start=None, end=None) -> dict:
    """`dashboard()` kept `settings.FUNDING_DASHBOARD_CACHE_SECONDS` seconds in the cache.

    At national scale its enrolment breakdowns read 100,000 rows: each scope (everything,
    or one relay), period and language is computed at most once per period of that
    length, so figures may be that many seconds old (0 turns the cache off).
    """

    seconds = getattr(settings, "FUNDING_DASHBOARD_CACHE_SECONDS", 60)
    if not seconds or not user.is_authenticated:
        return dashboard(user=user, start=start, end=end)
    key = f"reporting:dashboard:v1:{dashboard_scope(user=user, start=start, end=end)}"
    data = cache.get(key)
    if data is None:
        data = dashboard(user=user, start=start, end=end)
        data["computed_at"] = timezone.now()
        cache.set(key, data, seconds)
    return data


def dashboard(*, user, start=None, end=None) -> dict:
    """Every figure of the Region's dashboard, aggregated in the database, scoped to `user`.

    A fixed number of queries whatever the number of enrolments or entries.
    """

    head = dashboard_enrolments(user=user, start=start, end=end)
    enrolments = _period(
        Enrolment.objects.visible_to(user).exclude(state__in=COUNTED_OUT),
        "submitted_at__date",
        start,
        end,
    )
    tables: list[Table] = []

    # Milestones
    milestone_table = Table(
        "milestones",
        _("Objectif et jalons"),
        [_("Jalon"), _("Date"), _("Attendu"), _("Réalisé à la date"), _("Atteint")],
    )
    for m, done in head["progress"]:
        milestone_table.rows.append(
            [m.label, m.due_on, m.enrolments, done, _("oui") if done >= m.enrolments else _("non")]
        )
    milestone_table.chart = _chart(
        pygal.Bar,
        _("Inscriptions : jalons attendus et réalisés"),
        [
            (_("Attendu"), [m.enrolments for m, _d in head["progress"]]),
            (_("Réalisé"), [d for _m, d in head["progress"]]),
        ],
        [m.due_on.strftime("%d/%m/%Y") for m, _d in head["progress"]],
    )
    tables.append(milestone_table)

    # Enrolments by relay, département, offer and state
    def breakdown(key, title, field_name, label_of=None, chart=True):
        rows = (
            enrolments.values(field_name)
            .annotate(
                n=Count("pk"),
                signed=Count("pk", filter=Q(signed_at__isnull=False)),
                withdrawn=Count("pk", filter=Q(state=EnrolmentState.WITHDRAWN)),
            )
            .order_by(field_name)
        )
        table = Table(
            key,
            title,
            [title.split(" par ")[-1].capitalize(), _("Inscrites"), _("Signées"), _("Abandons")],
        )
        for r in rows:
            label = label_of(r[field_name]) if label_of else r[field_name]
            table.rows.append([label or _("(non renseigné)"), r["n"], r["signed"], r["withdrawn"]])
        if chart and table.rows:
            table.chart = _chart(
                pygal.HorizontalBar,
                title,
                [
                    (_("Inscrites"), [r[1] for r in table.rows]),
                    (_("Signées"), [r[2] for r in table.rows]),
                ],
                [str(r[0]) for r in table.rows],
            )
        return table

    states = dict(EnrolmentState.choices)
    tables.append(breakdown("by_relay", _("Inscriptions par relais"), "company__relay__name"))

    departements = {d.code: str(d) for d in Departement.objects.all()}
    tables.append(
        breakdown(
            "by_departement",
            _("Inscriptions par département"),
            "company__departement_id",
            label_of=departements.get,
        )
    )
    tables.append(breakdown("by_offer", _("Inscriptions par offre"), "offer__name"))
    tables.append(
        breakdown("by_state", _("Inscriptions par état"), "state", label_of=states.get, chart=False)
    )

    # Money by relay and funding source, from the pre-aggregated ledger (funding.balances):
    # whole months from the monthly balances, the edges of a period from the lines.
    grouped = ledger_totals(user=user, start=start, end=end)
    account_names = {
        a["pk"]: (a["relay__name"], a["code"])
        for a in Account.objects.filter(pk__in={r["account_id"] for r in grouped}).values(
            "pk", "relay__name", "code"
        )
    }
    money_rows = [
        {
            "account__relay__name": account_names[r["account_id"]][0],
            "account__code": account_names[r["account_id"]][1],
            **r,
        }
        for r in grouped
    ]
    invoiced_rows = (
        _period(
            AidInstalment.objects.visible_to(user).filter(
                status__in=[
                    AidInstalment.Status.DUE,
                    AidInstalment.Status.APPROVED,
                    AidInstalment.Status.PAID,
                ]
            ),
            "due_on",
            start,
            end,
        )
        .values("relay__name")
        .annotate(total=Sum("amount"))
    )
    funders = dict(Funder.choices)
    cells: dict[tuple[str, str], dict[str, Decimal]] = {}

    def cell(relay, funder):
        return cells.setdefault(
            (relay, funder),
            {"committed": ZERO, "invoiced": ZERO, "received": ZERO, "accrued": ZERO, "paid": ZERO},
        )

    for r in money_rows:
        relay, funder, code = r["account__relay__name"], r["funder"], r["account__code"]
        if code in {"706", "740", "741"}:
            cell(relay, funder)["committed"] += r["c"] - r["d"]
        elif code == "411":
            cell(relay, funder)["invoiced"] += r["d"]
        elif code == "442":
            cell(relay, funder)["invoiced"] += r["d"] - r["c"]
        elif code == "512" and funder:
            cell(relay, funder)["received"] += r["d"] - r["c"]
        elif code == "604":
            cell(relay, "consultants")["accrued"] += r["d"] - r["c"]
        elif code == "512":
            cell(relay, "consultants")["paid"] += r["c"] - r["d"]
    for r in invoiced_rows:
        cell(r["relay__name"], Funder.REGION)["invoiced"] += r["total"]
    money_table = Table(
        "money",
        _("Argent par relais et par source de financement"),
        [
            _("Relais"),
            _("Source"),
            _("Engagé HT"),
            _("Appelé / facturé"),
            _("Encaissé"),
            _("Honoraires dus"),
            _("Honoraires payés"),
        ],
    )
    totals = {
        "committed": ZERO,
        "invoiced": ZERO,
        "received": ZERO,
        "accrued": ZERO,
        "paid": ZERO,
    }
    by_funder: dict[str, dict[str, Decimal]] = {}
    for (relay, funder), v in sorted(cells.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        money_table.rows.append(
            [
                relay,
                str(funders.get(funder, _("Consultants"))),
                v["committed"],
                v["invoiced"],
                v["received"],
                v["accrued"],
                v["paid"],
            ]
        )
        agg = by_funder.setdefault(
            funders.get(funder, _("Consultants")), dict.fromkeys(totals, ZERO)
        )
        for k in totals:
            totals[k] += v[k]
            agg[k] += v[k]
    if by_funder:
        labels = list(by_funder)
        money_table.chart = _chart(
            pygal.Bar,
            _("Argent par source de financement (EUR)"),
            [
                (_("Engagé"), [by_funder[f]["committed"] for f in labels]),
                (_("Appelé"), [by_funder[f]["invoiced"] for f in labels]),
                (_("Encaissé"), [by_funder[f]["received"] + by_funder[f]["paid"] for f in labels]),
            ],
            labels,
        )
    tables.append(money_table)

    envelope = head["target"].budget_envelope if head["target"] else None
    region_committed = sum(
        (v["committed"] for (_r, f), v in cells.items() if f == Funder.REGION), ZERO
    )
    committed_ht = sum((v["committed"] for (_r, f), v in cells.items() if f != "consultants"), ZERO)
    budget_table = Table(
        "budget",
        _("Aide régionale et enveloppe budgétaire"),
        [_("Enveloppe"), _("Aide régionale engagée"), _("Consommation"), _("Disponible")],
    )
    if envelope:
        budget_table.rows.append(
            [
                envelope,
                region_committed,
                f"{(100 * region_committed / envelope):.1f} %",
                envelope - region_committed,
            ]
        )
    tables.append(budget_table)

    # Consultant utilisation
    missions = Mission.objects.visible_to(user)
    # Filtering on the missions first makes the counts below use the same (scoped) join.
    active_missions = Count("missions", filter=Q(missions__closed_at__isnull=True))
    experts = (
        Expert.objects.consultants()
        .filter(missions__in=missions)
        .annotate(active=active_missions, total=Count("missions"))
        .values("user__first_name", "user__last_name", "capacity", "active", "total")
        .order_by("-active", "user__last_name")[:15]
    )
    pool = Expert.objects.consultants().aggregate(
        n=Count("pk", filter=Q(accreditation=Expert.Accreditation.ACTIVE)),
        capacity=Coalesce(Sum("capacity", filter=Q(accreditation=Expert.Accreditation.ACTIVE)), 0),
    )
    running = missions.filter(closed_at__isnull=True, consultant__isnull=False).count()
    halfdays = sum(r["nd"] - r["nc"] for r in grouped if account_names[r["account_id"]][1] == "604")
    utilisation = Table(
        "utilisation",
        _("Utilisation des consultants"),
        [_("Consultant"), _("Missions en cours"), _("Capacité"), _("Charge"), _("Missions")],
    )
    for e in experts:
        load = f"{100 * e['active'] / e['capacity']:.0f} %" if e["capacity"] else "—"
        utilisation.rows.append(
            [
                f"{e['user__first_name']} {e['user__last_name']}",
                e["active"],
                e["capacity"],
                load,
                e["total"],
            ]
        )

    # Withdrawals
    withdrawals = Table(
        "withdrawals",
        _("Abandons"),
        [_("Entreprise"), _("Relais"), _("Offre"), _("Date"), _("Motif")],
    )
    for enrolment in (
        enrolments.filter(state=EnrolmentState.WITHDRAWN)
        .select_related("company__relay", "offer")
        .order_by("-withdrawn_at")[:50]
    ):
        withdrawals.rows.append(
            [
                enrolment.company.name,
                enrolment.company.relay.name if enrolment.company.relay else "",
                enrolment.offer.name if enrolment.offer else "",
                timezone.localdate(enrolment.withdrawn_at) if enrolment.withdrawn_at else None,
                enrolment.withdrawal_reason,
            ]
        )
    tables.append(utilisation)
    tables.append(withdrawals)

    signed = head["signed"]
    cost = Table(
        "cost",
        _("Coût moyen par entreprise"),
        [_("Indicateur"), _("Total"), _("Entreprises"), _("Moyenne")],
    )
    cost.rows.append(
        [
            _("Engagé HT, tous financeurs"),
            committed_ht,
            signed,
            money_avg(committed_ht, signed),
        ]
    )
    cost.rows.append(
        [
            _("Honoraires de conseil engagés"),
            totals["accrued"],
            signed,
            money_avg(totals["accrued"], signed),
        ]
    )
    tables.append(cost)

    continuation, continuation_table = _continuation_table(user=user)
    tables.append(continuation_table)
    training, training_table = _training_table(user=user)
    tables.append(training_table)

    return {
        "head": head,
        "continuation": continuation,
        "training": training,
        "tables": tables,
        "totals": totals,
        "pool": pool,
        "running_missions": running,
        "halfdays": halfdays,
        "committed_ht": committed_ht,
        "envelope": envelope,
        "region_committed": region_committed,
    }


def _continuation_table(*, user) -> tuple[dict, Table]:
    """The three-year continuation rate by relay and offer (enrolment.followups, one query).

    Counted as of today, whatever the period filter: it concerns companies closed at
    least CONTINUATION_MONTHS months ago.
    """

    figures = continuation_rate(user=user)
    table = Table(
        "continuation",
        _("Taux de poursuite à %(m)s mois, par relais et par offre") % {"m": figures["months"]},
        [
            _("Relais"),
            _("Offre"),
            _("Clôturées"),
            _("Réponses"),
            _("Poursuivent"),
            _("Taux"),
        ],
    )
    for r in [*figures["rows"], figures["total"]] if figures["rows"] else []:
        rate = "—" if r.rate is None else f"{r.rate} %".replace(".", ",")
        table.rows.append([str(r.relay), r.offer, r.closed, r.answered, r.carrying_on, rate])
    if figures["rows"]:
        labels = [f"{r.relay} — {r.offer}" for r in figures["rows"]] + [str(_("Total"))]
        table.chart = _chart(
            pygal.Bar,
            _("Entreprises qui poursuivent leur démarche (%)"),
            [
                (
                    _("Taux de poursuite"),
                    [r.rate for r in [*figures["rows"], figures["total"]]],
                )
            ],
            labels,
            range=(0, 100),
        )
    return figures, table


def _training_table(*, user) -> tuple[dict, Table]:
    """Pilots trained (consultants.training's selector, the home panel's figure: one query)."""

    figures = pilots_trained_count(user=user)
    table = Table(
        "training",
        _("Formation des pilotes"),
        [_("Pilotes"), _("Nombre")],
    )
    table.rows.append([_("Formés (formation validée)"), figures["trained"]])
    table.rows.append([_("En formation"), figures["in_training"]])
    if figures["trained"] or figures["in_training"]:
        table.chart = _chart(
            pygal.Bar,
            _("Pilotes formés et en formation"),
            [
                (_("Formés"), [figures["trained"]]),
                (_("En formation"), [figures["in_training"]]),
            ],
            [_("Pilotes")],
        )
    return figures, table


def money_avg(total: Decimal, count: int) -> Decimal | None:
    if not count:
        return None
    return to_cents(total / count)


def dashboard_panel_context(user) -> dict:
    """The home-page panel: the headline of the dashboard and its progress chart."""

    head = dashboard_enrolments(user=user)
    chart = _chart(
        pygal.Bar,
        _("Inscriptions : jalons attendus et réalisés"),
        [
            (_("Attendu"), [m.enrolments for m, _d in head["progress"]]),
            (_("Réalisé"), [d for _m, d in head["progress"]]),
        ],
        [m.due_on.strftime("%d/%m/%Y") for m, _d in head["progress"]],
    )
    return {"head": head, "chart": chart}
