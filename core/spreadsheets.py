"""The one spreadsheet writer: every CSV and XLSX the portal produces goes through it.

- **Formulas are neutralised** (OWASP "CSV injection"): a text cell that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return would be run by a spreadsheet. In CSV it gets
  a leading quote (``'=HYPERLINK(…)``); in XLSX it is stored as text with Excel's quote prefix,
  so it shows as typed and stays text when edited. Numbers are written as numbers, so a
  negative amount stays a negative amount.
- **French conventions**: headers are the French labels the caller gives (translated strings),
  CSV is semicolon-separated UTF-8 with a byte-order mark (Excel then reads the accents),
  decimals with a comma (``2440,50``), dates as ``31/12/2026``.

Callers pass plain Python values (str, int, Decimal, date, datetime, None) and never format or
escape a cell themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font

#: What a spreadsheet reads as the start of a formula (or that hides one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = frozenset({"csv", "xlsx"})


def neutralise(text: str) -> str:
    """Text a spreadsheet will show and not run: a formula-shaped text gets a leading quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unneutralise(text: str) -> str:
    """The text `neutralise` was given (for files we exported and read back: the pool)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_cell(value) -> str:
    """One CSV cell, written the French way; text neutralised, numbers left as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


def write_csv(
    stream,
    *,
    headers: Sequence,
    rows: Iterable[Sequence],
    progress: Callable[[int], None] | None = None,
    every: int = 200,
) -> int:
    """Write headers and rows to a text stream (semicolons); returns the number of rows."""
    writer = csv.writer(stream, delimiter=";")
    writer.writerow([neutralise(str(h)) for h in headers])
    n = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        n += 1
        if progress and n % every == 0:
            progress(n)
    if progress:
        progress(n)
    return n


def csv_text(*, headers: Sequence, rows: Iterable[Sequence]) -> str:
    """A whole CSV file as text, byte-order mark first."""
    buffer = io.StringIO()
    buffer.write(BOM)
    write_csv(buffer, headers=headers, rows=rows)
    return buffer.getvalue()


def xlsx_bytes(*, title: str, headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    """A one-sheet XLSX workbook: bold French headers, typed numbers and dates, inert text."""
    wb = Workbook()
    ws = wb.active
    ws.title = (slugify(title) or "export")[:31]
    bold = Font(bold=True)
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col)
        _xlsx_set(cell, str(header))
        cell.font = bold
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            _xlsx_set(ws.cell(row=r, column=col), value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_set(cell, value) -> None:
    if isinstance(value, dt.datetime):
        cell.value = _local(value).replace(tzinfo=None)  # Excel has no time zones
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
    elif value is None or isinstance(value, bool | int | float | Decimal):
        cell.value = value  # numbers stay numbers, negative ones included
    else:
        text = str(value)
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if text.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited


def spreadsheet_response(
    *, title: str, headers: Sequence, rows: Iterable[Sequence], fmt: str = "csv"
) -> HttpResponse:
    """A download of `rows` as CSV or XLSX, named after `title`."""
    name = slugify(title) or "export"
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(title=title, headers=headers, rows=rows), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(csv_text(headers=headers, rows=rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
