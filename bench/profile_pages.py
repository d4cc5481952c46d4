"""Which queries a page spends its time in, at national scale (helper of bench/national.py).

DEBUG=1 DATABASE_URL=… .venv/bin/python bench/profile_pages.py [--all] [list|detail|queue|journal|dashboard|pool|register|floor …]

Each page: time, query count, time in SQL and its four slowest queries (`--all`: every query, in order).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.national import _otp_session  # noqa: E402
from core.models import Relay, User  # noqa: E402
from enrolment.models import Enrolment  # noqa: E402


def main() -> None:
    relay = (
        Relay.objects.filter(slug__startswith="bench-relais-").order_by("pk").first()
        or Relay.objects.order_by("pk").first()
    )
    staff = User.objects.get(role="relay_staff", relay=relay, email__startswith="bench-")
    director = User.objects.get(email="bench-direction@national.test")
    region = User.objects.get(email="bench-region@national.test")
    enrolment = Enrolment.objects.filter(company__relay=relay, state="in_progress").order_by("pk")[
        0
    ]
    pages = {
        "list": (reverse("enrolment:staff_list"), staff),
        "detail": (reverse("enrolment:staff_detail", args=[enrolment.pk]), staff),
        "queue": (reverse("consultants:queue"), director),
        "journal": (reverse("funding:journal", args=[relay.slug]), staff),
        "dashboard": (reverse("reporting:dashboard"), region),
        "pool": (reverse("consultants:pool"), director),
        "register": (reverse("reporting:deminimis_register"), region),
        "floor": ("/bench/table/", staff),
    }
    every_query = "--all" in sys.argv
    wanted = [a for a in sys.argv[1:] if a != "--all"] or list(pages)
    for name in wanted:
        path, user = pages[name]
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        session = client.session
        session.update(_otp_session(user))
        session.save()
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
        sql_time = sum(float(q["time"]) for q in ctx.captured_queries)
        print(
            f"{name}: {response.status_code} {elapsed * 1000:.0f} ms, {len(ctx)} queries, "
            f"{sql_time * 1000:.0f} ms in SQL, {len(response.content)} bytes"
        )
        shown = (
            ctx.captured_queries
            if every_query
            else sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:4]
        )
        for q in shown:
            print(f"   {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")


if __name__ == "__main__":
    main()
