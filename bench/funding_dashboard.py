"""Benchmark: the Region's dashboard and a relay ledger page at national scale.

    DATABASE_URL=postgresql://… DEBUG=1 .venv/bin/python bench/funding_dashboard.py \
        --enrolments 100000 --signed 40000 --half-days 8

Loads the volume in bulk inside a transaction, times the dashboard selector and
the ledger selectors (queries and seconds), then rolls everything back.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performance_pme.settings.base")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalogue.models import Offer  # noqa: E402
from core.models import Departement, Relay, User  # noqa: E402
from core.roles import Role  # noqa: E402
from enrolment.models import Company, Enrolment  # noqa: E402
from funding.ledger import chart_for  # noqa: E402
from funding.models import JournalEntry, JournalLine  # noqa: E402
from funding.selectors import account_balances  # noqa: E402
from reporting.selectors import dashboard  # noqa: E402


class Rollback(Exception):
    pass


def load(n_enrolments: int, n_signed: int, half_days: int) -> None:
    relays = list(Relay.objects.all())
    dep = Departement.objects.get(code="69")
    offer = Offer.objects.get(code="ciblee")
    now = timezone.now()
    companies = Company.objects.bulk_create(
        [
            Company(
                siret=f"9{i:013d}",
                name=f"Bench {i}",
                departement=dep,
                relay=relays[i % len(relays)],
            )
            for i in range(n_enrolments)
        ],
        batch_size=5000,
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                company=c,
                state="in_progress" if i < n_signed else "validated",
                offer=offer,
                submitted_at=now,
                signed_at=now if i < n_signed else None,
            )
            for i, c in enumerate(companies)
        ],
        batch_size=5000,
    )
    charts = {r.pk: chart_for(r) for r in relays}
    today = timezone.localdate()
    entries = JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                relay_id=e.company.relay_id,
                date=today,
                label="bench",
                event_kind="bench",
                idempotency_key=f"bench:{e.pk}:{k}",
            )
            for e in enrolments[:n_signed]
            for k in range(1 + half_days)
        ],
        batch_size=5000,
    )
    lines = []
    for entry in entries:
        chart = charts[entry.relay_id]
        first = entry.idempotency_key.endswith(":0")
        debit, credit = ("411", "706") if first else ("604", "401")
        amount = Decimal("2440.00") if first else Decimal("805.00")
        lines.append(JournalLine(entry=entry, account=chart[debit], debit=amount, funder="company"))
        lines.append(
            JournalLine(entry=entry, account=chart[credit], credit=amount, funder="company")
        )
    JournalLine.objects.bulk_create(lines, batch_size=10000)


def measure(label, fn):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
    print(f"{label:40} {elapsed:7.3f} s  {len(ctx):3d} requêtes")
    slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for q in slowest:
        print(f"    {float(q['time']):6.3f} s  {q['sql'][:110]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enrolments", type=int, default=10000)
    parser.add_argument("--signed", type=int, default=4000)
    parser.add_argument("--half-days", type=int, default=8)
    args = parser.parse_args()
    region = User(email="bench@region", role=Role.REGION, is_active=True)
    try:
        with transaction.atomic():
            start = time.perf_counter()
            load(args.enrolments, args.signed, args.half_days)
            print(
                f"chargement : {time.perf_counter() - start:.1f} s "
                f"({JournalLine.objects.count()} lignes d'écriture)"
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            measure("tableau de bord (Région, tout)", lambda: dashboard(user=region))
            relay = Relay.objects.first()
            measure("soldes d'un relais", lambda: account_balances(relay=relay))
            raise Rollback
    except Rollback:
        print("données de bench annulées")


if __name__ == "__main__":
    main()
