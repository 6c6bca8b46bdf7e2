"""The one CSV writer of the project, and CSV injection on the way in (SEC-2, REL-6).

CSV injection (formula injection): a cell that starts with =, +, -, @, a tab or a carriage return is run
as a formula by Excel, LibreOffice and Google Sheets when a CSV is opened (OWASP "CSV Injection").

Every CSV the project writes (the reports, the cost code and cost type exports) goes through
`write_csv` / `csv_text`: each cell, whatever its type (text, a model object, a Decimal, a date, None...),
becomes text first and a formula-looking one is neutralised with a leading apostrophe (the spreadsheet
shows the text as typed); numbers (int, Decimal, float, and text such as -120.50) stay numbers. Imports
refuse a formula-looking cell and accept one that carries our apostrophe (it is removed), so an export
imports back unchanged.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value)


def csv_safe(value):
    """The value as an export should write it: formula-looking text prefixed with an apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def csv_cell(value) -> str:
    """Any value as the text of one safe CSV cell: None is empty, numbers and dates keep their plain form,
    everything else (a model object included) is its text, neutralised when it looks like a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return csv_safe(str(value))


def write_csv(out, header: Iterable, rows: Iterable[Iterable]) -> None:
    """Write the header and the rows to `out` (a file, an HttpResponse), every cell through csv_cell."""
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue()


def csv_unescape(value: str) -> str:
    """The text an export's neutralised cell stood for ("'=x" → "=x"); other values unchanged."""
    return value[1:] if value.startswith("'") and looks_like_formula(value[1:]) else value
