"""CSV and XLSX exports of tables (the journal, every dashboard table)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def export_response(*, title: str, headers: list, rows: list, fmt: str) -> HttpResponse:
    name = slugify(title) or "export"
    if fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = name[:31]
        ws.append([str(h) for h in headers])
        for row in rows:
            ws.append(
                [v if isinstance(v, int | Decimal | dt.date) or v is None else str(v) for v in row]
            )
        bold = Font(bold=True)
        for cell in ws[1]:
            cell.font = bold
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    buffer = io.StringIO()
    buffer.write("\ufeff")  # spreadsheets then read the accents right
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
