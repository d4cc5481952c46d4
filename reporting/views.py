"""The Region's dashboard (relay staff see their relay's) and its CSV/XLSX exports."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.pagination import counted_page
from core.reauth import recent_authentication_required
from core.roles import STAFF_READER_ROLES, has_role
from core.spreadsheets import FORMATS, spreadsheet_response
from funding.forms import PeriodFilterForm

from . import selectors
from .deminimis import register_enrolments, register_headers, register_rows, register_summary
from .forms import RegisterFilterForm

#: Rows per page of the de minimis register (the exports hold every row).
REGISTER_PAGE_SIZE = 50


@login_required
@recent_authentication_required(when=lambda request: bool(request.GET.get("export")))
def dashboard(request):
    """The Region's dashboard; relay staff see the same for their relay only."""
    if not has_role(request.user, STAFF_READER_ROLES):
        raise PermissionDenied
    period = PeriodFilterForm(request.GET or None)
    start = end = None
    if period.is_valid():
        start, end = period.cleaned_data.get("start"), period.cleaned_data.get("end")
    # The figures (and charts) are cached, and so is each table's markup; the charts are inlined
    # for each request, since they carry the request's CSP nonce.
    data = selectors.dashboard_cached(user=request.user, start=start, end=end)
    export = request.GET.get("export")
    if export:
        table = next((t for t in data["tables"] if t.key == export), None)
        if table is None:
            raise Http404
        return spreadsheet_response(
            title=str(table.title),
            headers=table.headers,
            rows=table.rows,
            fmt=request.GET.get("format", "csv"),
        )
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("format", None)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "data": data,
            "period": period,
            "query": query.urlencode(),
            "cache_seconds": getattr(settings, "FUNDING_DASHBOARD_CACHE_SECONDS", 60),
            "cache_scope": selectors.dashboard_scope(user=request.user, start=start, end=end),
        },
    )


@login_required
@recent_authentication_required(when=lambda request: bool(request.GET.get("format")))
def deminimis_register(request):
    """The de minimis register: aid granted per company, filtered, exported (CSV, XLSX)."""
    if not has_role(request.user, STAFF_READER_ROLES):
        raise PermissionDenied
    filters = RegisterFilterForm(request.GET or None, user=request.user)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    enrolments = register_enrolments(
        user=request.user,
        start=criteria.get("start"),
        end=criteria.get("end"),
        relay=criteria.get("relay"),
    )
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in FORMATS:
            raise Http404
        return spreadsheet_response(
            title=_("Registre des aides de minimis"),
            headers=register_headers(),
            rows=[r.cells() for r in register_rows(enrolments)],
            fmt=fmt,
        )
    whole_programme = request.user.sees_everything and not any(criteria.values())
    summary = register_summary(enrolments, whole_programme=whole_programme)
    page = counted_page(
        enrolments,
        per_page=REGISTER_PAGE_SIZE,
        count=summary["count"],
        number=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    return render(
        request,
        "reporting/deminimis_register.html",
        {
            "filters": filters,
            "headers": register_headers(),
            "page": page,
            "rows": register_rows(page.object_list),
            "summary": summary,
            "query": query.urlencode(),
        },
    )
