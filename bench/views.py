"""The load benchmark's floors: what a request costs before any database work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render

ROWS = [
    {
        "n": i,
        "name": f"Entreprise {i:03d}",
        "siret": f"{i:014d}",
        "state": "Mission en cours",
        "amount": Decimal("2440.00") + i,
        "date": dt.date(2026, 1, 1) + dt.timedelta(days=i),
    }
    for i in range(1, 51)
]


def trivial(request):
    """Floor (a): a trivial Django view."""
    return HttpResponse("ok", content_type="text/plain")


def table(request):
    """Floor (b): a 50-row table from memory, with the site's base template (no query)."""
    return render(request, "bench/table.html", {"rows": ROWS})
