"""The Region's dashboard: enrolments against the target, money committed and paid per
funder and relay, consultants, continuation and training; cached per scope and period."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pygal
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pygal.style import Style

from collective.followups import continuation_rate
from collective.satisfaction import offer_outcomes, relay_outcomes
from consultants.models import Expert, Mission
from consultants.training import pilots_trained_count
from core.charts import accessible_svg, series_desc
from core.models import Departement
from core.money import to_cents
from enrolment.models import Enrolment, EnrolmentState
from funding.balances import ledger_totals
from funding.models import Account, AidInstalment, Funder

from .forecast import forecast
from .forecast import window as forecast_window
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
    on_page: bool = True  # False: only in the "Autres données" export menu
    total_row: bool = False  # the last row is the totals' row

    @property
    def header_cells(self) -> list[tuple[str, bool]]:
        """(header, numeric) pairs: a figures column's header is right-aligned like its cells."""
        return list(zip(self.headers, self.numeric, strict=True))

    @property
    def numeric(self) -> list[bool]:
        """Per column: whether it holds figures (right-aligned, header included)."""
        return [
            any(_is_figure(row[i]) for row in self.rows)
            and all(_is_figure(row[i]) or row[i] in (None, "", "—") for row in self.rows)
            for i in range(len(self.headers))
        ]


def _is_figure(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | Decimal | float):
        return True
    return isinstance(value, str) and value.endswith(" %")


def percent(numerator, denominator, decimals: int = 1) -> str | None:
    """'6,0 %': a share in French format, None without a denominator."""
    if not denominator:
        return None
    value = Decimal(100) * Decimal(numerator) / Decimal(denominator)
    return f"{number_format(value, decimals, use_l10n=True, force_grouping=True)} %"


COUNTED_OUT = ("draft", "ineligible")


def _period(qs, lookup: str, start, end):
    if start:
        qs = qs.filter(**{f"{lookup}__gte": start})
    if end:
        qs = qs.filter(**{f"{lookup}__lte": end})
    return qs


def axis_number(value) -> str:
    """An axis or tooltip figure the French way: 600000.0 → '600 000', 6.5 → '6,5'."""
    if value is None:
        return ""
    decimals = 0 if float(value).is_integer() else 1
    return number_format(value, decimals, use_l10n=True, force_grouping=True)


CHART_WIDTH = 480
CHART_BARS = 12
CHART_FONT = 18  # SVG units: ≥ 12 px on screen down to a 320 px wide chart (a 390 px phone)


LEGEND_ROW = round(CHART_FONT * 1.5)  # pygal's step between two legend rows


def legend_columns(series: int) -> int:
    """Legend columns under a chart: two side by side when they fill whole rows, else one.

    pygal reserves room for `series // columns` legend rows, not the rounded-up count: with
    three series in two columns the third ("Encaissé") was drawn below the image and cut.
    Two columns of CHART_FONT-unit labels is what fits in CHART_WIDTH without truncation.
    """
    return 2 if series % 2 == 0 else 1


def _chart(kind, title, series: list[tuple[str, list]], labels: list[str], **opts) -> str:
    """A pygal chart as an accessible SVG: French figures, labels never truncated.

    Drawn CHART_WIDTH units wide, shown at most that many pixels wide and scaled down on a
    phone: CHART_FONT-unit labels stay at least 12 px on screen. Counts get whole-number axes.
    """

    style = Style(
        background="white",
        plot_background="white",
        colors=("#0b3954", "#f2a900", "#087e8b", "#c8553d", "#6c757d"),
        font_family="Inter, Arial, sans-serif",
        label_font_size=CHART_FONT,
        major_label_font_size=CHART_FONT,
        legend_font_size=CHART_FONT,
        value_font_size=CHART_FONT,
        tooltip_font_size=CHART_FONT,
        title_font_size=CHART_FONT + 2,
    )
    rows = len(labels) if kind is pygal.HorizontalBar else 0
    columns = legend_columns(len(series))
    legend_rows = -(-len(series) // columns)
    chart = kind(
        js=[],
        style=style,
        title=str(title),
        width=CHART_WIDTH,
        # each further legend row gets its own room instead of squeezing the plot
        height=max(360, 140 + 40 * rows * len(series)) + LEGEND_ROW * (legend_rows - 1),
        legend_at_bottom=True,
        legend_at_bottom_columns=columns,
        disable_xml_declaration=True,
        print_values=False,
        truncate_label=-1,
        truncate_legend=-1,
        value_formatter=axis_number,
        x_label_rotation=30 if len(labels) > 4 and kind is not pygal.HorizontalBar else 0,
        **opts,
    )
    chart.x_labels = [str(label) for label in labels]
    counts = [v for _n, values in series for v in values if v is not None]
    if counts and "range" not in opts and all(isinstance(v, int) for v in counts):
        chart.y_labels = _whole_ticks(max(counts))
    for name, values in series:
        chart.add(str(name), [float(v) if isinstance(v, Decimal) else v for v in values])

    desc = series_desc([(str(name), values) for name, values in series], chart.x_labels)
    return accessible_svg(chart.render(is_unicode=True), title=str(title), desc=desc)


def _whole_ticks(top: int) -> list[int]:
    """Axis ticks for counts: 0 to at least `top` in steps of 1, 2, 5, 10, 20, 50…"""
    step = 1
    while top / step > 8:
        step = _next_step(step)
    return list(range(0, max(top, 1) + step, step))


def _next_step(step: int) -> int:
    """1 → 2 → 5 → 10 → 20 → 50…"""
    return step * 5 // 2 if str(step)[0] == "2" else step * 2


def dashboard_enrolments(*, user, start=None, end=None) -> dict:
    """Enrolments against the target and its milestones, with a forecast (2 queries).

    `forecast` is `reporting.forecast.forecast` on the counts of the last six full months;
    `next_milestone` is the first (milestone, enrolled by its date) not yet due, or None.
    """

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
    }
    for m in milestones:
        aggregates[f"m{m.pk}"] = Count("pk", filter=Q(submitted_at__date__lte=m.due_on))
    today = timezone.localdate()
    months = forecast_window(today)
    for i, (first, last) in enumerate(months):
        aggregates[f"w{i}"] = Count("pk", filter=Q(submitted_at__date__range=(first, last)))
    figures = qs.aggregate(**aggregates)
    goal = target.target_enrolments if target else 0
    progress = [(m, figures[f"m{m.pk}"]) for m in milestones]
    upcoming = [(m, done) for m, done in progress if m.due_on >= today]
    return {
        "target": target,
        "goal": goal,
        "total": figures["total"],
        "withdrawn": figures["withdrawn"],
        "signed": figures["signed"],
        "percent": round(100 * figures["total"] / goal, 1) if goal else None,
        "forecast": forecast(
            monthly=[figures[f"w{i}"] for i in range(len(months))],
            total=figures["total"],
            goal=goal,
            today=today,
            ends_on=target.ends_on if target else None,
        ),
        "progress": progress,
        "next_milestone": upcoming[0] if upcoming else None,
    }


def dashboard_scope(*, user, start=None, end=None) -> str:
    """What the dashboard's figures depend on: who (everything or one relay), period, language."""

    who = "all" if user.sees_everything else f"relay-{user.role}-{user.relay_id}"
    return f"{who}:{start}:{end}:{get_language()}"


def dashboard_cache_key(*, user, start=None, end=None) -> str:
    return f"reporting:dashboard:v2:{dashboard_scope(user=user, start=start, end=end)}"


def dashboard_cached(*, user, start=None, end=None) -> dict:
    """`dashboard()` kept `settings.FUNDING_DASHBOARD_CACHE_SECONDS` seconds in the cache.

    At national scale its figures take about a second to compute: each scope (everything,
    or one relay), period and language is computed at most once per period of that length
    (0 turns the cache off). When the period is over, **one** request recomputes them (a lock
    in the cache) while the others keep showing the previous figures, at most one more period
    old, instead of every worker computing the same figures at once; the page says when
    they were computed.
    """

    seconds = getattr(settings, "FUNDING_DASHBOARD_CACHE_SECONDS", 60)
    if not seconds or not user.is_authenticated:
        return dashboard(user=user, start=start, end=end)
    key = dashboard_cache_key(user=user, start=start, end=end)
    computing = f"{key}:computing"
    data = cache.get(key)
    now = timezone.now()
    if data is not None:
        age = (now - data["computed_at"]).total_seconds()
        if age < seconds:
            return data
        if age < 2 * seconds and not cache.add(computing, 1, seconds):
            return data  # another request is computing the next figures
    data = dashboard(user=user, start=start, end=end)
    data["computed_at"] = now
    cache.set(key, data, 2 * seconds)
    cache.delete(computing)
    return data


def dashboard(*, user, start=None, end=None) -> dict:
    """Every figure of the Region's dashboard, aggregated in the database, scoped to `user`.

    A fixed number of queries whatever the number of enrolments or entries. The key
    figures: `head` (enrolments, next milestone, forecast), `totals` (committed, invoiced,
    received; consultants' fees accrued and paid), `region_committed` against `envelope`
    (`consumption`), `running_missions` against the active consultants' capacity (`load`),
    `continuation`. Tables with `on_page` False are only offered as exports.
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
    def breakdown(key, title, field_name, label_of=None, chart=True, on_page=True):
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
            on_page=on_page,
        )
        for r in rows:
            label = label_of(r[field_name]) if label_of else r[field_name]
            table.rows.append([label or _("(non renseigné)"), r["n"], r["signed"], r["withdrawn"]])
        if chart and table.rows:
            # at most CHART_BARS bars (the most enrolments): 100 relays would draw 8,000 px
            drawn = sorted(table.rows, key=lambda r: -r[1])[:CHART_BARS]
            if len(drawn) < len(table.rows):
                title = _("%(title)s : les %(n)s premiers") % {"title": title, "n": len(drawn)}
            drawn.reverse()  # pygal draws a horizontal bar chart's first label at the bottom
            table.chart = _chart(
                pygal.HorizontalBar,
                title,
                [
                    (_("Inscrites"), [r[1] for r in drawn]),
                    (_("Signées"), [r[2] for r in drawn]),
                ],
                [str(r[0]) for r in drawn],
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
            chart=False,
            on_page=False,
        )
    )
    tables.append(
        breakdown(
            "by_offer", _("Inscriptions par offre"), "offer__name", chart=False, on_page=False
        )
    )
    tables.append(
        breakdown(
            "by_state",
            _("Inscriptions par état"),
            "state",
            label_of=states.get,
            chart=False,
            on_page=False,
        )
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
    tables.extend(_money_tables(cells, funders))
    totals = dict.fromkeys(("committed", "invoiced", "received", "accrued", "paid"), ZERO)
    for v in cells.values():
        for k in totals:
            totals[k] += v[k]

    envelope = head["target"].budget_envelope if head["target"] else None
    region_committed = sum(
        (v["committed"] for (_r, f), v in cells.items() if f == Funder.REGION), ZERO
    )
    committed_ht = sum((v["committed"] for (_r, f), v in cells.items() if f != "consultants"), ZERO)
    budget_table = Table(
        "budget",
        _("Aide régionale et enveloppe budgétaire"),
        [_("Enveloppe"), _("Aide régionale engagée"), _("Consommation"), _("Disponible")],
        on_page=False,
    )
    if envelope:
        budget_table.rows.append(
            [
                envelope,
                region_committed,
                percent(region_committed, envelope),
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
        load = percent(e["active"], e["capacity"], 0) or "—"
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
        on_page=False,
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
        on_page=False,
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
        "consumption": percent(region_committed, envelope),
        "load": percent(running, pool["capacity"], 0),
        # outcomes and satisfaction of the closed missions (collective.satisfaction)
        "outcomes_by_relay": relay_outcomes(user=user),
        "outcomes_by_offer": offer_outcomes(user=user),
    }


def _money_tables(cells: dict, funders: dict) -> list[Table]:
    """The money per relay and source of funding, as three tables.

    - "money": relays × funders, the amount committed (HT) in each cell, a total column and
      a totals row (the page's table);
    - "funders": per funder, committed / called / received, with totals, and its chart; the
      consultants' fees (due, paid) are their own row, never counted as received;
    - "money_detail": the former long rows (relay, source, every amount), export only.
    """

    relays = sorted({relay for relay, _f in cells}, key=lambda r: r or "")
    sources = [f for f in funders if any(f == cf for _r, cf in cells)]
    pivot = Table(
        "money",
        _("Engagé HT par relais et par financeur"),
        [_("Relais"), *[str(funders[f]) for f in sources], _("Total")],
        total_row=True,
    )
    column_totals = dict.fromkeys(sources, ZERO)
    for relay in relays:
        row = [cells.get((relay, f), {}).get("committed", ZERO) for f in sources]
        for f, amount in zip(sources, row, strict=True):
            column_totals[f] += amount
        pivot.rows.append([relay or _("(non renseigné)"), *row, sum(row, ZERO)])
    if relays:
        pivot.rows.append([_("Total"), *column_totals.values(), sum(column_totals.values(), ZERO)])

    by_funder = Table(
        "funders",
        _("Engagé, appelé et encaissé par financeur"),
        [_("Financeur"), _("Engagé HT"), _("Appelé / facturé"), _("Encaissé")],
        total_row=True,
    )
    sums = {f: dict.fromkeys(("committed", "invoiced", "received"), ZERO) for f in sources}
    fees = {"accrued": ZERO, "paid": ZERO}
    for (_relay, funder), v in cells.items():
        if funder in sums:
            for k in sums[funder]:
                sums[funder][k] += v[k]
        for k in fees:
            fees[k] += v[k]
    for f in sources:
        by_funder.rows.append(
            [str(funders[f]), sums[f]["committed"], sums[f]["invoiced"], sums[f]["received"]]
        )
    if sources:
        by_funder.rows.append(
            [
                _("Total"),
                *(sum((sums[f][k] for f in sources), ZERO) for k in sums[sources[0]]),
            ]
        )
        labels = [str(funders[f]) for f in sources]
        by_funder.chart = _chart(
            pygal.Bar,
            _("Argent par financeur (EUR)"),
            [
                (_("Engagé HT"), [sums[f]["committed"] for f in sources]),
                (_("Appelé / facturé"), [sums[f]["invoiced"] for f in sources]),
                (_("Encaissé"), [sums[f]["received"] for f in sources]),
            ],
            labels,
        )

    detail = Table(
        "money_detail",
        _("Argent par relais et par source de financement (détail)"),
        [
            _("Relais"),
            _("Source"),
            _("Engagé HT"),
            _("Appelé / facturé"),
            _("Encaissé"),
            _("Honoraires dus"),
            _("Honoraires payés"),
        ],
        on_page=False,
    )
    for (relay, funder), v in sorted(cells.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        detail.rows.append(
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
    return [pivot, by_funder, detail]


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
        on_page=False,
    )
    table.rows.append([_("Formés (formation validée)"), figures["trained"]])
    table.rows.append([_("En formation"), figures["in_training"]])
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
