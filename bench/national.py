"""National-scale benchmark: a generator, and a load test of the busiest pages (not a test).

    make bench                                  # the two steps below, wrk installed first
    make bench BENCH_COMPANIES=2000             # a small data set (a few seconds)

    export DEBUG=1 DATABASE_URL=postgresql://…/pme_national REDIS_URL=redis://…/n
    .venv/bin/python bench/national.py generate [--companies 100000] [--reset | --reuse]
    .venv/bin/python bench/national.py serve-and-measure [--duration 15] [--connections 8]

`generate` creates the database of DATABASE_URL if it does not exist and applies the
migrations, then fills it with PostgreSQL COPY: 100 relays, 3,000 consultants, 100,000
companies (owner, enrolment across every state, submitted self-diagnosis, mission,
half-days), and the ledger those events post (entries with the same keys, accounts, amounts
and funders as `funding.ledger` / `funding.services`), over 1,000,000 lines. Consultants and
relays scale with `--companies` unless given. The balance trigger is suspended during the
load and the same rule is checked once on the whole ledger afterwards (every entry has
lines, debit = credit).

`serve-and-measure` starts gunicorn (DEBUG=0, `bench.settings`), logs each role in through
the session store, and measures with wrk p50 / p95 latency and throughput of the pages, and
of two floors served by the same process: a trivial view and a 50-row table page rendered
from memory with the site's base template (no database). Then the reminder sweep's duration
(rolled back), and the peak memory of the gunicorn workers and of a Celery worker. Prints a
Markdown table and writes it to bench/results/national.md (`--output` to write elsewhere).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performance_pme.settings.base")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402
import urllib.request  # noqa: E402
from importlib import import_module  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from catalogue.models import Tariff  # noqa: E402
from catalogue.pricing import tariff_price  # noqa: E402
from catalogue.selectors import vat_rate_in_force  # noqa: E402
from collective.models import (  # noqa: E402
    GroupMembership,
    NetworkConsent,
    Seminar,
    TerritorialGroup,
)
from consultants.models import Assignment, Expert, HalfDay, Mission  # noqa: E402
from core.models import Departement, Relay, ReminderSent, TimelineEvent, User  # noqa: E402
from core.reminders import reminders_send_due  # noqa: E402
from core.roles import Role  # noqa: E402
from core.security import SESSION_HAS_DEVICE, otp_required_by_role  # noqa: E402
from diagnostics.models import Diagnosis, Questionnaire, Theme  # noqa: E402
from enrolment.models import Company, Enrolment  # noqa: E402
from funding import balances  # noqa: E402
from funding.ledger import AID_ACCOUNTS, chart_for  # noqa: E402
from funding.models import AidInstalment, JournalEntry, JournalLine, Payment  # noqa: E402

SEED = 2007
BENCH_SLUG = "bench-relais-"
STATES = [  # (state, share of companies, created between N and M days ago)
    ("draft", 0.04, (0, 30)),
    ("submitted", 0.02, (0, 10)),
    ("eligible", 0.04, (0, 60)),
    ("ineligible", 0.03, (0, 700)),
    ("diagnosed", 0.04, (0, 40)),
    ("offer_chosen", 0.04, (0, 30)),
    ("validated", 0.02, (20, 60)),
    ("consultant_assigned", 0.03, (21, 35)),
    ("agreement_signed", 0.05, (36, 60)),
    ("in_progress", 0.35, (60, 420)),
    ("closed", 0.28, (250, 730)),
    ("withdrawn", 0.06, (0, 700)),
]
ORDER = [s for s, _share, _r in STATES]
DIAGNOSED = set(ORDER[ORDER.index("diagnosed") :]) - {"withdrawn"}
ASSIGNED = set(ORDER[ORDER.index("consultant_assigned") :]) - {"withdrawn"}
SIGNED = {"agreement_signed", "in_progress", "closed"}


# --- COPY helpers -----------------------------------------------------------------------------


class Copier:
    """Rows of a model written with COPY, every concrete column filled (defaults computed once)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        now = timezone.now()
        self.defaults = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            else:  # "" for a text column without default, None for a nullable one
                self.defaults[f.attname] = f.get_default()
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.count = 0

    def rows(self, dicts):
        names = [f.attname for f in self.fields]
        defaults, js = self.defaults, self.json
        for d in dicts:
            row = []
            for n in names:
                v = d.get(n, defaults[n])
                if n in js:
                    v = json.dumps(v)
                row.append(v)
            yield row

    def copy(self, dicts) -> int:
        raw = connection.connection
        sql = f"COPY {self.model._meta.db_table} ({', '.join(self.columns)}) FROM STDIN"
        n = 0
        with raw.cursor() as cur, cur.copy(sql) as cp:
            for row in self.rows(dicts):
                cp.write_row(row)
                n += 1
        self.count += n
        print(f"  COPY {self.model._meta.db_table}: {n} lignes", flush=True)
        return n


def _next_id(model) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")
        return cur.fetchone()[0] + 1


def _reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


GENERATED = [
    NetworkConsent,
    Seminar,
    GroupMembership,
    TerritorialGroup,
    JournalLine,
    JournalEntry,
    Payment,
    AidInstalment,
    HalfDay,
    Assignment,
    Mission,
    Diagnosis,
    Enrolment,
    Company,
    Expert,
]


def reset() -> None:
    """Empty what `generate` fills (TRUNCATE fires no row trigger), keep reference data."""
    tables = ", ".join(m._meta.db_table for m in GENERATED)
    with connection.cursor() as cur:
        cur.execute(
            f"TRUNCATE {tables}, django_session, core_timelineevent, funding_accountbalance CASCADE"
        )
        cur.execute("DELETE FROM core_user WHERE NOT is_superuser")
        cur.execute(
            "DELETE FROM funding_account WHERE relay_id IN "
            "(SELECT id FROM core_relay WHERE slug LIKE %s)",
            [BENCH_SLUG + "%"],
        )
        cur.execute("DELETE FROM core_relay WHERE slug LIKE %s", [BENCH_SLUG + "%"])


# --- generate ---------------------------------------------------------------------------------


def generate(n_companies: int, n_consultants: int, n_relays: int) -> dict:
    rnd = random.Random(SEED)
    with connection.cursor() as cur:
        # Foreign keys checked row by row during COPY: no deferred event left pending.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    now = timezone.now()
    today = timezone.localdate()
    counts: dict[str, int] = {}
    password = "!bench-no-login"  # unusable: the bench logs in through the session store

    existing = list(Relay.objects.order_by("pk"))
    Relay.objects.bulk_create(
        [
            Relay(slug=f"{BENCH_SLUG}{i:03d}", name=f"Relais national {i:03d}")
            for i in range(len(existing) + 1, n_relays + 1)
        ]
    )
    relays = list(Relay.objects.order_by("pk"))[:n_relays]
    charts = {r.pk: {code: a.pk for code, a in chart_for(r).items()} for r in relays}
    departements = list(Departement.objects.values_list("code", flat=True))
    tariffs = {t.offer_id: t for t in Tariff.objects.filter(valid_to__isnull=True)}
    offers = sorted(tariffs)
    vat = vat_rate_in_force(on=today)
    themes = list(Theme.objects.order_by("position").values_list("code", flat=True))
    questionnaire = Questionnaire.objects.filter(is_active=True).first()

    # Users: staff roles, relay staff (one per relay), consultants, company owners
    users = Copier(User)
    uid = _next_id(User)
    staff_rows = []
    for email, role in [
        ("bench-direction@national.test", Role.DIRECTOR),
        ("bench-region@national.test", Role.REGION),
        ("bench-admin@national.test", Role.ADMIN),
    ]:
        staff_rows.append({"id": uid, "email": email, "role": role, "password": password})
        uid += 1
    relay_staff = {}
    for r in relays:
        relay_staff[r.pk] = uid
        staff_rows.append(
            {
                "id": uid,
                "email": f"bench-relais-{r.pk}@national.test",
                "role": Role.RELAY_STAFF,
                "relay_id": r.pk,
                "password": password,
                "first_name": "Chargé",
                "last_name": f"Relais {r.pk}",
            }
        )
        uid += 1
    consultant_user0 = uid
    for i in range(n_consultants):
        staff_rows.append(
            {
                "id": uid,
                "email": f"bench-consultant-{i:05d}@national.test",
                "role": Role.CONSULTANT,
                "password": password,
                "first_name": f"Prénom{i % 97}",
                "last_name": f"Consultant{i:05d}",
            }
        )
        uid += 1
    owner_user0 = uid
    users.copy(staff_rows)
    users.copy(
        {
            "id": owner_user0 + i,
            "email": f"bench-dirigeant-{i:06d}@national.test",
            "role": Role.OWNER,
            "password": password,
            "first_name": "Dirigeant",
            "last_name": f"N{i:06d}",
        }
        for i in range(n_companies)
    )
    counts["utilisateurs"] = users.count

    experts = Copier(Expert)
    eid0 = _next_id(Expert)
    experts.copy(
        {
            "id": eid0 + i,
            "user_id": consultant_user0 + i,
            "kind": Expert.Kind.CONSULTANT,
            "firm": f"Cabinet {i % 400}",
            "capacity": 30,
            "accreditation": Expert.Accreditation.ACTIVE,
            "active_since": today - dt.timedelta(days=800),
        }
        for i in range(n_consultants)
    )
    counts["consultants"] = experts.count

    # Companies and enrolments
    cid0, enid0 = _next_id(Company), _next_id(Enrolment)
    companies, enrolments, plan = [], [], []
    states = []
    for state, share, _r in STATES:
        states += [state] * round(share * n_companies)
    states = (states + ["in_progress"] * n_companies)[:n_companies]
    rnd.shuffle(states)
    for i, state in enumerate(states):
        relay = relays[i % len(relays)]
        lo, hi = {s: r for s, _sh, r in STATES}[state]
        created = now - dt.timedelta(days=rnd.uniform(lo, hi))
        offer = offers[0] if rnd.random() < 0.6 else offers[-1]
        tariff = tariffs[offer]
        cid, enid = cid0 + i, enid0 + i
        companies.append(
            {
                "id": cid,
                "siret": f"8{i:013d}",
                "name": f"{rnd.choice(['Mécanique', 'Plasturgie', 'Usinage', 'Fonderie', 'Décolletage', 'Chaudronnerie'])} "
                f"{rnd.choice(['Alpine', 'du Rhône', 'Savoyarde', 'de Loire', 'Dauphinoise', 'Nationale'])} {i:06d}",
                "naf_code": "2562B",
                "headcount": rnd.randint(10, 250),
                "postcode": "69000",
                "city": "Lyon",
                "departement_id": rnd.choice(departements),
                "relay_id": relay.pk,
                "owner_id": owner_user0 + i,
                "created_at": created,
            }
        )
        e = {
            "id": enid,
            "company_id": cid,
            "state": state,
            "created_by_id": owner_user0 + i,
            "created_at": created,
            "state_changed_at": created,
        }
        t = created
        if state != "draft":
            e["submitted_at"] = t = created + dt.timedelta(days=1)
        if state in DIAGNOSED or state in {"validated", "offer_chosen"}:
            e["offer_id"], e["tariff_id"] = offer, tariff.pk
        if ORDER.index(state) >= ORDER.index("validated") and state != "withdrawn":
            e["validated_at"] = t = created + dt.timedelta(days=20)
            e["vat_rate"] = vat  # frozen at validation (catalogue.pricing)
        if state in SIGNED:
            e["signed_at"] = t = created + dt.timedelta(days=35)
        if state == "closed":
            e["closed_at"] = t = created + dt.timedelta(days=35 + 200)
        if state == "withdrawn":
            e["withdrawn_at"] = t = created + dt.timedelta(days=rnd.uniform(1, 20))
            e["withdrawal_reason"] = "Changement de priorités"
        e["state_changed_at"] = min(t, now)
        e["updated_at"] = e["state_changed_at"]
        enrolments.append(e)
        plan.append((relay, tariff, state, e))
    Copier(Company).copy(companies)
    Copier(Enrolment).copy(enrolments)
    counts["entreprises"] = len(companies)
    counts["inscriptions"] = len(enrolments)
    counts.update(_groups(companies, enrolments, relay_staff, rnd, now))

    # Submitted self-diagnoses (one per enrolment that got there)
    did0 = _next_id(Diagnosis)
    diagnoses = Copier(Diagnosis)

    def diag_rows():
        for k, (_relay, _tariff, state, e) in enumerate(plan):
            if state not in DIAGNOSED:
                continue
            scores = {c: round(rnd.uniform(20, 95), 1) for c in themes}
            yield {
                "id": did0 + k,
                "company_id": e["company_id"],
                "enrolment_id": e["id"],
                "questionnaire_id": questionnaire.pk,
                "state": Diagnosis.State.SUBMITTED,
                "theme_scores": scores,
                "overall_score": Decimal(str(round(sum(scores.values()) / len(scores), 1))),
                "recommendation": {"offer": "ciblee"},
                "started_at": e["created_at"] + dt.timedelta(days=2),
                "submitted_at": e["created_at"] + dt.timedelta(days=3),
            }

    diagnoses.copy(diag_rows())
    counts["autodiagnostics"] = diagnoses.count

    # Missions, assignments, half-days
    missions, assignments, halfdays = Copier(Mission), Copier(Assignment), Copier(HalfDay)
    mid0, aid0, hid0 = _next_id(Mission), _next_id(Assignment), _next_id(HalfDay)
    mission_rows, assignment_rows, halfday_rows = [], [], []
    mission_of = {}
    for _relay, tariff, state, e in plan:
        if state not in ASSIGNED:
            continue
        mid = mid0 + len(mission_rows)
        expert = eid0 + rnd.randrange(n_consultants)
        start = e.get("signed_at")
        mission_rows.append(
            {
                "id": mid,
                "enrolment_id": e["id"],
                "consultant_id": expert,
                "start_date": start.date() if start else None,
                "planned_end_date": (start + dt.timedelta(days=30 * tariff.duration_months)).date()
                if start
                else None,
                "closed_at": e.get("closed_at"),
                "created_at": e["validated_at"],
            }
        )
        assignment_rows.append(
            {
                "id": aid0 + len(assignment_rows),
                "mission_id": mid,
                "consultant_id": expert,
                "status": "proposed" if state == "consultant_assigned" else "accepted",
                "proposed_at": e["validated_at"],
                "responded_at": None if state == "consultant_assigned" else e["validated_at"],
            }
        )
        mission_of[e["id"]] = (mid, expert)
        if start is None:
            continue
        planned = tariff.half_days or 8
        n = planned if state == "closed" else min(planned, max(0, (now - start).days // 12))
        for k in range(n):
            day = start + dt.timedelta(days=12 * k + 5)
            if day > now:
                break
            halfday_rows.append(
                {
                    "id": hid0 + len(halfday_rows),
                    "mission_id": mid,
                    "date": day.date(),
                    "subject": f"Demi-journée {k + 1}",
                    "attendees": "Dirigeant, pilote",
                    "created_at": day,
                }
            )
    missions.copy(mission_rows)
    assignments.copy(assignment_rows)
    halfdays.copy(halfday_rows)
    counts["missions"] = missions.count
    counts["demi-journées"] = halfdays.count

    # The ledger, as funding.ledger's handlers and funding.services.payment_record post it
    entry_rows, line_rows, instalment_rows, payment_rows = [], [], [], []
    jeid, jlid = _next_id(JournalEntry), _next_id(JournalLine)
    inst_id, pay_id = _next_id(AidInstalment), _next_id(Payment)
    tid = {t.pk: t for t in tariffs.values()}
    names = {c["id"]: c["name"] for c in companies}

    def post(relay_id, date, label, kind, key, lines, created, author=None):
        nonlocal jeid, jlid
        entry_rows.append(
            {
                "id": jeid,
                "relay_id": relay_id,
                "date": date,
                "label": label[:255],
                "event_kind": kind,
                "idempotency_key": key,
                "author_id": author,
                "created_at": created,
            }
        )
        assert sum(ln.get("debit", 0) for ln in lines) == sum(ln.get("credit", 0) for ln in lines)
        for ln in lines:
            if not (ln.get("debit") or ln.get("credit")):
                continue
            line_rows.append(
                {
                    "id": jlid,
                    "entry_id": jeid,
                    "account_id": charts[relay_id][ln["account"]],
                    "debit": ln.get("debit", Decimal("0")),
                    "credit": ln.get("credit", Decimal("0")),
                    "funder": ln.get("funder", ""),
                    "company_id": ln.get("company_id"),
                    "consultant_id": ln.get("consultant_id"),
                    "enrolment_id": ln.get("enrolment_id"),
                }
            )
            jlid += 1
        jeid += 1
        return jeid - 1

    region_due: dict[tuple[int, dt.date], list[int]] = {}
    for relay, _t, state, e in plan:
        if state not in SIGNED:
            continue
        tariff = tid[e["tariff_id"]]
        signed = e["signed_at"]
        dims = {"company_id": e["company_id"], "enrolment_id": e["id"]}
        price = tariff_price(tariff=tariff, vat_rate=vat)
        lines = [
            {"account": "411", "debit": price.company_ttc, "funder": "company", **dims},
            {"account": "706", "credit": price.company_ht, "funder": "company", **dims},
            {"account": "44571", "credit": price.vat, "funder": "company", **dims},
        ]
        for funder, amount in price.public_shares:
            receivable, revenue = AID_ACCOUNTS[funder]
            lines.append({"account": receivable, "debit": amount, "funder": funder, **dims})
            lines.append({"account": revenue, "credit": amount, "funder": funder, **dims})
        post(
            relay.pk,
            signed.date(),
            f"Convention signée — {names[e['company_id']]} ({tariff.offer.name})",
            "enrolment.agreement_signed",
            f"signed:{e['id']}",
            lines,
            signed,
        )
        advance = price.regional_advance
        closed = e.get("closed_at")
        advance_paid_on = signed.date() + dt.timedelta(days=45)
        advance_paid = advance_paid_on <= today
        instalment_rows.append(
            {
                "id": inst_id,
                "relay_id": relay.pk,
                "enrolment_id": e["id"],
                "kind": "advance",
                "amount": advance,
                "status": "paid" if advance_paid else "due",
                "due_on": signed.date(),
                "paid_on": advance_paid_on if advance_paid else None,
            }
        )
        if advance_paid:
            month = advance_paid_on.replace(day=1)
            region_due.setdefault((relay.pk, month), []).append(inst_id)
        inst_id += 1
        instalment_rows.append(
            {
                "id": inst_id,
                "relay_id": relay.pk,
                "enrolment_id": e["id"],
                "kind": "balance",
                "amount": price.regional_balance,
                "status": "due" if closed else "scheduled",
                "due_on": closed.date() if closed else None,
            }
        )
        inst_id += 1
        if closed or (signed.date() + dt.timedelta(days=60) <= today and e["id"] % 2):
            pay_date = signed.date() + dt.timedelta(days=60)
            ref = f"VIR-{e['id']}"
            payment_rows.append(
                {
                    "id": pay_id,
                    "relay_id": relay.pk,
                    "kind": "company",
                    "date": pay_date,
                    "amount": price.company_ttc,
                    "reference": ref,
                    "company_id": e["company_id"],
                    "due_before": price.company_ttc,
                    "recorded_by_id": relay_staff[relay.pk],
                    "created_at": signed + dt.timedelta(days=60),
                }
            )
            pdims = {"company_id": e["company_id"], "funder": "company"}
            payment_rows[-1]["entry_id"] = post(
                relay.pk,
                pay_date,
                f"Règlement d'une entreprise — {names[e['company_id']]} — {ref}",
                "payment.company",
                f"payment:{pay_id}",
                [
                    {"account": "512", "debit": price.company_ttc, **pdims},
                    {"account": "411", "credit": price.company_ttc, **pdims},
                ],
                signed + dt.timedelta(days=60),
                author=relay_staff[relay.pk],
            )
            pay_id += 1
    # Half-days accrue the consultant's fee (604 / 401) at the tariff's rate
    enrolment_of_mission = {mid: (eid, expert) for eid, (mid, expert) in mission_of.items()}
    enrolment_by_id = {e["id"]: (relay, e) for relay, _t, _s, e in plan}
    for h in halfday_rows:
        eid, expert = enrolment_of_mission[h["mission_id"]]
        relay, e = enrolment_by_id[eid]
        rate = tid[e["tariff_id"]].consultant_half_day_rate
        dims = {"company_id": e["company_id"], "enrolment_id": eid, "consultant_id": expert}
        post(
            relay.pk,
            h["date"],
            f"Demi-journée de conseil — {names[e['company_id']]}",
            "mission.halfday_logged",
            f"halfday:{h['id']}",
            [{"account": "604", "debit": rate, **dims}, {"account": "401", "credit": rate, **dims}],
            h["created_at"],
        )
    # The Region pays each relay's advances in one lump sum a month
    amounts = {r["id"]: r["amount"] for r in instalment_rows}
    payment_of_instalment = {}
    for (relay_id, month), ids in sorted(region_due.items()):
        total = sum((amounts[i] for i in ids), Decimal("0"))
        date = min(month + dt.timedelta(days=27), today)
        ref = f"REGION-{relay_id}-{month:%Y%m}"
        payment_rows.append(
            {
                "id": pay_id,
                "relay_id": relay_id,
                "kind": "region",
                "date": date,
                "amount": total,
                "reference": ref,
                "due_before": total,
                "recorded_by_id": relay_staff[relay_id],
                "created_at": now,
            }
        )
        pdims = {"funder": "region"}
        payment_rows[-1]["entry_id"] = post(
            relay_id,
            date,
            f"Versement de la Région — Région — {ref}",
            "payment.region",
            f"payment:{pay_id}",
            [
                {"account": "512", "debit": total, **pdims},
                {"account": "441", "credit": total, **pdims},
            ],
            now,
            author=relay_staff[relay_id],
        )
        for i in ids:
            payment_of_instalment[i] = pay_id
        pay_id += 1
    for r in instalment_rows:
        r["payment_id"] = payment_of_instalment.get(r["id"])

    with connection.cursor() as cur:
        # One set-based check instead of a million deferred per-row checks (see below).
        cur.execute("ALTER TABLE funding_journalline DISABLE TRIGGER funding_journalline_balanced")
        cur.execute(
            "ALTER TABLE funding_journalentry DISABLE TRIGGER funding_journalentry_has_lines"
        )
    Copier(JournalEntry).copy(entry_rows)
    Copier(JournalLine).copy(line_rows)
    payments = [dict(p) for p in payment_rows]
    Copier(Payment).copy(payments)
    Copier(AidInstalment).copy(instalment_rows)
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE funding_journalline ENABLE TRIGGER funding_journalline_balanced")
        cur.execute(
            "ALTER TABLE funding_journalentry ENABLE TRIGGER funding_journalentry_has_lines"
        )
        cur.execute(
            """
            SELECT count(*) FROM funding_journalentry e
            LEFT JOIN (SELECT entry_id, sum(debit) d, sum(credit) c FROM funding_journalline
                       GROUP BY entry_id) l ON l.entry_id = e.id
            WHERE l.entry_id IS NULL OR l.d <> l.c
            """
        )
        broken = cur.fetchone()[0]
    if broken:
        raise SystemExit(f"{broken} écritures sans ligne ou déséquilibrées : chargement annulé")
    counts["écritures"] = len(entry_rows)
    counts["lignes d'écriture"] = len(line_rows)
    counts["paiements"] = len(payment_rows)
    counts["échéances d'aide"] = len(instalment_rows)

    counts["soldes pré-agrégés"] = balances.balances_rebuild()
    for model in [User, *GENERATED]:
        _reset_sequence(model)
    return counts


GROUP_SIZE = 8
#: Enrolment states whose companies are in a territorial group (collective.models.GROUP_STATES).
IN_GROUP = {"validated", "consultant_assigned", "agreement_signed", "in_progress"}


def _groups(companies, enrolments, relay_staff, rnd, now) -> dict[str, int]:
    """Territorial groups of GROUP_SIZE companies per relay and territory, two seminars each;
    two members in three consented to the group's network (name, town, activity, contact,
    what they work on), the third never did (its consent stays pending)."""
    company_of = {c["id"]: c for c in companies}
    by_territory: dict[tuple[int, str], list[dict]] = {}
    for e in enrolments:
        if e["state"] in IN_GROUP:
            c = company_of[e["company_id"]]
            by_territory.setdefault((c["relay_id"], c["departement_id"]), []).append(e)
    gid, mid, cid, sid = (
        _next_id(m) for m in (TerritorialGroup, GroupMembership, NetworkConsent, Seminar)
    )
    groups, members, consents, seminars = [], [], [], []
    for (relay_id, dep), rows in sorted(by_territory.items()):
        for k in range(0, len(rows), GROUP_SIZE):
            staff = relay_staff[relay_id]
            created = now - dt.timedelta(days=rnd.uniform(100, 400))
            groups.append(
                {
                    "id": gid,
                    "relay_id": relay_id,
                    "departement_id": dep,
                    "name": f"Groupe {dep} n° {k // GROUP_SIZE + 1}",
                    "created_by_id": staff,
                    "created_at": created,
                }
            )
            for n, e in enumerate(rows[k : k + GROUP_SIZE]):
                company = company_of[e["company_id"]]
                joined = created + dt.timedelta(days=n)
                members.append(
                    {
                        "id": mid,
                        "group_id": gid,
                        "enrolment_id": e["id"],
                        "joined_at": joined,
                        "added_by_id": staff,
                    }
                )
                mid += 1
                consent = {
                    "id": cid,
                    "group_id": gid,
                    "company_id": company["id"],
                    "state": "pending",
                    "created_at": joined,
                }
                if n % 3 != 2:
                    consent.update(
                        state="given",
                        show_name=True,
                        show_town=True,
                        show_activity=True,
                        show_contact=True,
                        show_work=True,
                        activity="Décolletage de précision",
                        contact_name=f"Dirigeant N{company['owner_id']}",
                        contact_email=f"contact-{company['id']}@national.test",
                        working_on="Réduire les encours et fiabiliser les délais.",
                        version=1,
                        given_at=joined,
                        changed_at=joined,
                        changed_by_id=company["owner_id"],
                    )
                consents.append(consent)
                cid += 1
            for days in (-20, 25):
                starts = now + dt.timedelta(days=days)
                seminars.append(
                    {
                        "id": sid,
                        "group_id": gid,
                        "starts_at": starts,
                        "ends_at": starts + dt.timedelta(hours=3),
                        "place": "Salle du relais",
                        "title": "Séminaire du groupe",
                        "created_by_id": staff,
                        "created_at": created,
                    }
                )
                sid += 1
            gid += 1
    Copier(TerritorialGroup).copy(groups)
    Copier(GroupMembership).copy(members)
    Copier(NetworkConsent).copy(consents)
    Copier(Seminar).copy(seminars)
    return {
        "groupes territoriaux": len(groups),
        "membres de groupes": len(members),
        "consentements au réseau donnés": sum(c["state"] == "given" for c in consents),
    }


def ensure_database() -> None:
    """Create the database of DATABASE_URL when it does not exist, then apply the migrations."""
    import psycopg
    from django.core.management import call_command
    from psycopg import sql

    if connection.vendor != "postgresql":
        raise SystemExit("generate : PostgreSQL seulement (DATABASE_URL=postgresql://…)")
    db = connection.settings_dict
    server = {
        "host": db["HOST"],
        "port": db["PORT"],
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    server = {key: value for key, value in server.items() if value}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if found.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"base {db['NAME']} créée", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    print(f"base {db['NAME']} migrée", flush=True)


def default_scale(args) -> None:
    """Consultants and relays in proportion to the companies (3,000 and 100 for 100,000)."""
    if args.consultants is None:
        args.consultants = max(30, args.companies * 3 // 100)
    if args.relays is None:
        # at least 10: the 7 relays of the reference data plus bench relays of their own
        args.relays = max(10, args.companies // 1000)


def cmd_generate(args) -> None:
    ensure_database()
    default_scale(args)
    start = time.perf_counter()
    with transaction.atomic():
        if Relay.objects.filter(slug__startswith=BENCH_SLUG).exists() or Company.objects.exists():
            present = Company.objects.count()
            if args.reuse and present == args.companies:
                print(f"La base contient déjà {present} entreprises : données gardées.")
                return
            if not args.reset:
                raise SystemExit(
                    f"La base contient déjà des données ({present} entreprises, "
                    f"{args.companies} demandées) : relancez avec --reset "
                    "(make bench BENCH_RESET=1)."
                )
            reset()
        counts = generate(args.companies, args.consultants, args.relays)
    load = time.perf_counter() - start
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    total = time.perf_counter() - start
    for name, n in counts.items():
        print(f"{name:24} {n:>10,}".replace(",", " "))
    print(
        f"chargement (COPY, une transaction) : {load:.1f} s ; avec VACUUM ANALYZE : {total:.1f} s"
    )


# --- serve and measure ------------------------------------------------------------------------


def _otp_session(user) -> dict:
    """Session keys of a user who passed the second step (director and Region must)."""

    if not otp_required_by_role(user):
        return {}
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return {DEVICE_ID_SESSION_KEY: device.persistent_id, SESSION_HAS_DEVICE: True}


def _session_cookie(user) -> str:
    """A logged-in session for `user`, created directly in the session store."""

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.update(_otp_session(user))
    store.save()
    return store.session_key


def _wrk(url: str, cookie: str | None, duration: int, connections: int) -> dict:
    lua = Path("/tmp/bench-wrk-report.lua")
    lua.write_text(
        """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
    )
    cmd = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency"]
    cmd += ["-s", str(lua), "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    m = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    requests, micros, p50, p95, status_errors, socket_errors = map(int, m.groups())
    return {
        "rps": requests / (micros / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "errors": status_errors + socket_errors,
        "requests": requests,
    }


def _vm(pid: int, key: str) -> int:
    """VmHWM / VmRSS of a process in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - local bench server
            return
        except Exception:  # noqa: BLE001
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {url}")


def _check_200(url: str, cookie: str | None) -> None:
    """Each page must answer 200 for its role (not a redirect to the login page)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(
        url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {}
    )
    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=30).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise SystemExit(f"{url} answers {status}, not 200: see /tmp/bench-national-gunicorn.log")


def _sweep_seconds() -> tuple[float, int]:
    """The reminder sweep at this scale, in a transaction rolled back (so it can be rerun)."""

    class Rollback(Exception):
        pass

    logging.getLogger("core.reminders").setLevel(logging.WARNING)
    with override_settings(EMAIL_BACKEND="bench.mail.DiscardingBackend"):
        start = time.perf_counter()
        try:
            with transaction.atomic():
                n = reminders_send_due()
                elapsed = time.perf_counter() - start
                raise Rollback
        except Rollback:
            pass
    return elapsed, n


def _celery_peak(env: dict) -> tuple[int, int, float]:
    """Peak memory of a Celery worker (one process) running the reminder sweep and outbox tasks."""
    last = {
        m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for m in (ReminderSent, TimelineEvent)
    }
    log = open("/tmp/bench-national-celery.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "performance_pme",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
            "-Q",
            # the sweep's batches go to the default queue (core.apps' dispatcher)
            "bench-national,celery",
            "-n",
            f"bench-national-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        from core import tasks

        time.sleep(6)
        start = time.perf_counter()
        results = [
            tasks.reminders_sweep.apply_async(queue="bench-national"),
            tasks.outbox_relay.apply_async(queue="bench-national"),
        ]
        del results
        # The sweep records reminders for real in this run: wait until the queue is drained.
        # Done when the worker has taken both tasks and its CPU time stops growing.
        previous = -1
        while True:
            time.sleep(2)
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = int(fields[11]) + int(fields[12])  # utime + stime (clock ticks)
            if cpu == previous:
                break
            previous = cpu
        elapsed = time.perf_counter() - start
        return _vm(proc.pid, "VmHWM"), _vm(proc.pid, "VmRSS"), elapsed
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        # What the worker's sweep recorded is undone, so that the next run sends the same.
        for model, pk in last.items():
            model.objects.filter(pk__gt=pk).delete()


def _start_workers(n: int, env: dict, queue: str) -> list[subprocess.Popen]:
    """`n` Celery worker processes (one process each, prefetch 1) on `queue`."""
    procs = []
    for i in range(n):
        log = open(f"/tmp/bench-national-worker-{i}.log", "wb")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("celery")),
                    "-A",
                    "performance_pme",
                    "worker",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=WARNING",
                    "-Q",
                    queue,
                    "-n",
                    f"bench-national-{i}-{os.getpid()}@%h",
                ],
                cwd=ROOT,
                env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return procs


def _sweep_with_workers(workers: int) -> tuple[float, float, int]:
    """The periodic sweep as in production: this process claims (`reminders_sweep_dispatch`),
    `workers` Celery processes send the batches. Seconds to claim, seconds until the last
    reminder is sent, reminders; what it recorded is then deleted (the next run sends the same).
    """
    from core import reminders, tasks

    queue = f"bench-national-sweep-{os.getpid()}"
    reminders.register_dispatcher(
        lambda rule, today, ids: tasks.reminders_send_batch.apply_async(
            args=[rule, today, ids], queue=queue
        )
    )
    last = {
        m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for m in (ReminderSent, TimelineEvent)
    }
    procs = _start_workers(workers, dict(os.environ), queue)
    logging.getLogger("core.reminders").setLevel(logging.WARNING)
    try:
        time.sleep(8)  # the workers boot
        start = time.perf_counter()
        n = reminders.reminders_sweep_dispatch()
        claimed = time.perf_counter() - start
        unsent = ReminderSent.objects.filter(
            pk__gt=last[ReminderSent], digest=False, sent_at__isnull=True
        )
        while unsent.exists():
            time.sleep(0.1)
        return claimed, time.perf_counter() - start, n
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)
        for model, pk in last.items():
            model.objects.filter(pk__gt=pk).delete()


def cmd_sweep(args) -> None:
    """The reminder sweep alone: in this process (rolled back), or with Celery workers."""
    if not User.objects.filter(email="bench-direction@national.test").exists():
        raise SystemExit("Base non générée : lancez d'abord `bench/national.py generate`.")
    for _ in range(args.repeat):
        for workers in args.workers:
            if workers == 0:
                seconds, n = _sweep_seconds()
                print(f"balayage dans ce processus (annulé) : {seconds:.2f} s, {n} relances")
            else:
                claimed, seconds, n = _sweep_with_workers(workers)
                print(
                    f"balayage, {workers} worker(s) : {seconds:.2f} s jusqu'au dernier envoi "
                    f"(relances réservées en {claimed:.2f} s), {n} relances",
                    flush=True,
                )


def cmd_measure(args) -> None:

    if shutil.which("wrk") is None:
        raise SystemExit(
            "serve-and-measure a besoin de wrk (paquet Debian wrk) : `make bench` l'installe, "
            "ou :  sudo apt-get install wrk"
        )
    if not User.objects.filter(email="bench-direction@national.test").exists():
        raise SystemExit("Base non générée : lancez d'abord `bench/national.py generate`.")
    port = args.port
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    # The database connections of production's default (persistent, no pool).
    env.pop("DATABASE_POOL", None)
    env.pop("DATABASE_CONN_MAX_AGE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY", "bench-national-" + "x" * 40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # DEBUG=0 needs the manifest
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    relay = (
        Relay.objects.filter(slug__startswith=BENCH_SLUG).order_by("pk").first()
        or Relay.objects.first()
    )
    who = {
        "relay": User.objects.get(role=Role.RELAY_STAFF, relay=relay, email__startswith="bench-"),
        "director": User.objects.get(email="bench-direction@national.test"),
        "region": User.objects.get(email="bench-region@national.test"),
    }
    settings.SECRET_KEY = env["SECRET_KEY"]  # sessions are signed with the server's key
    cookies = {k: _session_cookie(u) for k, u in who.items()}
    enrolment = (
        Enrolment.objects.filter(company__relay=relay, state="in_progress").order_by("pk").first()
    )
    # the group's network, seen by a member who consented (the relay's first group)
    consent = (
        NetworkConsent.objects.filter(group__relay=relay, state=NetworkConsent.State.GIVEN)
        .select_related("company__owner")
        .order_by("group_id", "pk")
        .first()
    )
    if consent is not None:
        who["owner"] = consent.company.owner
        cookies["owner"] = _session_cookie(who["owner"])
    pages = [
        ("plancher : vue triviale", "/bench/trivial/", None),
        ("plancher : tableau de 50 lignes (gabarit du site)", "/bench/table/", "relay"),
        ("liste des inscriptions du relais", reverse("enrolment:staff_list"), "relay"),
        (
            "fiche d'une inscription",
            reverse("enrolment:staff_detail", args=[enrolment.pk]),
            "relay",
        ),
        ("file d'attente des désignations (directeur)", reverse("consultants:queue"), "director"),
        (
            "vivier des consultants et leurs résultats (directeur)",
            reverse("consultants:pool"),
            "director",
        ),
        ("journal du relais", reverse("funding:journal", args=[relay.slug]), "relay"),
        ("tableau de bord de la Région", reverse("reporting:dashboard"), "region"),
        ("registre de minimis de la Région", reverse("reporting:deminimis_register"), "region"),
    ]
    if consent is not None:
        network = reverse("collective:group_network", args=[consent.group_id])
        pages += [
            ("réseau d'un groupe : cartes et séminaires (membre)", network, "owner"),
            ("réseau d'un groupe : consentements (relais)", network, "relay"),
        ]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open("/tmp/bench-national-gunicorn.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [
            gunicorn,
            "performance_pme.wsgi",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{port}",
            "--access-logfile=-" if args.access_log else "--access-logfile=/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results = []
    try:
        _wait_http(base + "/bench/trivial/")
        for i, (label, path, role) in enumerate(pages):
            _check_200(base + path, cookies.get(role))
            # The 50-row floor again, just before the page: on a shared machine the speed drifts
            # within a run, and a page is compared with the floor measured beside it.
            floor = (
                _wrk(base + pages[1][1], cookies["relay"], args.neighbour_floor, args.connections)
                if i > 1 and args.neighbour_floor
                else None
            )
            if args.warmup:  # every worker's connection and caches warm, not measured
                _wrk(base + path, cookies.get(role), args.warmup, args.connections)
            r = _wrk(base + path, cookies.get(role), args.duration, args.connections)
            r["floor"] = floor["rps"] if floor else None
            results.append((label, path, role, r))
            print(
                f"{label:50} {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms"
                + (f"  (plancher juste avant : {floor['rps']:.1f} req/s)" if floor else "")
            )
        workers = _children(server.pid)
        gunicorn_peak = max((_vm(p, "VmHWM") for p in workers), default=0)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if args.pages_only:
        write_results(args, results, None, 0, gunicorn_peak, 0, 0)
        return
    sweep, sent = _sweep_seconds()
    celery_hwm, _celery_rss, celery_seconds = _celery_peak(env)
    write_results(args, results, sweep, sent, gunicorn_peak, celery_hwm, celery_seconds)


def write_results(args, results, sweep, sent, gunicorn_peak, celery_hwm, celery_seconds) -> None:
    trivial = results[0][3]["rps"]
    table = results[1][3]["rps"]
    lines_count = JournalLine.objects.count()

    def n(value: int) -> str:
        return f"{value:,}".replace(",", "\u202f")

    header = (
        f"Mesure du {timezone.now():%d/%m/%Y %H:%M} UTC — {n(Company.objects.count())} "
        f"entreprises, {n(Enrolment.objects.count())} inscriptions, "
        f"{n(Expert.objects.count())} consultants, {Relay.objects.count()} relais, "
        f"{n(lines_count)} lignes d'écriture ; gunicorn {args.workers} workers synchrones, "
        f"DEBUG=0, wrk {args.connections} connexions × {args.duration} s par page "
        f"(après {args.warmup} s de chauffe non mesurées), "
        f"{os.cpu_count()} cœurs partagés avec PostgreSQL, Redis, wrk et d'autres sessions."
    )
    out = [
        header,
        "",
        "| page (rôle) | req/s | p50 ms | p95 ms | débit / vue triviale | débit / tableau 50 lignes "
        "| débit / tableau 50 lignes mesuré juste avant |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, _path, role, r in results:
        beside = f"{r['rps'] / r['floor']:.2f} ({r['floor']:.1f} req/s)" if r.get("floor") else "—"
        out.append(
            f"| {label}{f' ({role})' if role else ''} | {r['rps']:.1f} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | {r['rps'] / trivial:.2f} | {r['rps'] / table:.2f} | {beside} |"
        )
    path = Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    if sweep is None:  # --pages-only: the sweep and Celery figures of the previous run are kept
        previous = path.read_text().splitlines() if path.exists() else []
        kept = [
            ln
            for ln in previous
            if ln.startswith(("| balayage", "| mémoire de pointe d'un worker C"))
        ]
        out += ["", "| autre mesure | résultat |", "|---|---|", *kept[:1]]
        out.append(
            f"| mémoire de pointe d'un worker gunicorn (VmHWM) | {gunicorn_peak / 1024:.0f} Mo |"
        )
        out += [*kept[1:], "", "(balayage et worker Celery : exécution complète précédente)"]
        text = "\n".join(out) + "\n"
        print(text)
        path.write_text(text)
        return
    out += [
        "",
        "| autre mesure | résultat |",
        "|---|---|",
        f"| balayage des relances (`core.reminders.reminders_send_due`, annulé) | {sweep:.2f} s, "
        f"{n(sent)} relances |",
        f"| mémoire de pointe d'un worker gunicorn (VmHWM) | {gunicorn_peak / 1024:.0f} Mo |",
        f"| mémoire de pointe d'un worker Celery (VmHWM, balayage + relais de l'outbox, "
        f"{celery_seconds:.1f} s) | {celery_hwm / 1024:.0f} Mo |",
    ]
    text = "\n".join(out) + "\n"
    print(text)
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--companies", type=int, default=100_000)
    g.add_argument("--consultants", type=int, help="default: 3 %% of --companies, 30 at least")
    g.add_argument("--relays", type=int, help="default: --companies / 1000, 10 at least")
    g.add_argument("--reset", action="store_true", help="empty the generated tables first")
    g.add_argument(
        "--reuse",
        action="store_true",
        help="keep a data set already generated with the same number of companies",
    )
    m = sub.add_parser("serve-and-measure")
    m.add_argument("--duration", type=int, default=15)
    m.add_argument(
        "--warmup", type=int, default=3, help="seconds of unmeasured load before each page"
    )
    m.add_argument(
        "--neighbour-floor",
        type=int,
        default=5,
        help="seconds of the 50-row floor measured again just before each page (0: not)",
    )
    m.add_argument("--connections", type=int, default=8)
    m.add_argument("--workers", type=int, default=4)
    m.add_argument("--port", type=int, default=8917)
    m.add_argument("--access-log", action="store_true")
    m.add_argument(
        "--output",
        default=str(ROOT / "bench" / "results" / "national.md"),
        help="Markdown file the results are written to",
    )
    m.add_argument(
        "--pages-only",
        action="store_true",
        help="measure the pages only; keep the sweep and memory figures of the previous run",
    )
    w = sub.add_parser("sweep", help="the reminder sweep alone")
    w.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[0, 1, 2],
        help="0: in this process, rolled back; N: claimed here, sent by N Celery processes",
    )
    w.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    {"generate": cmd_generate, "serve-and-measure": cmd_measure, "sweep": cmd_sweep}[args.command](
        args
    )


if __name__ == "__main__":
    main()
