"""CSV injection (formula injection): a cell that starts with =, +, -, @, a tab or a carriage return is
run as a formula by Excel, LibreOffice and Google Sheets when a CSV is opened (OWASP "CSV Injection").

Exports neutralise such cells with a leading apostrophe (the spreadsheet shows the text as typed);
plain numbers such as -120.50 stay numbers. Imports refuse a formula-looking cell and accept one that
carries our apostrophe (it is removed), so an export imports back unchanged.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value)


def csv_safe(value):
    """The value as an export should write it: formula-looking text prefixed with an apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def csv_unescape(value: str) -> str:
    """The text an export's neutralised cell stood for ("'=x" → "=x"); other values unchanged."""
    return value[1:] if value.startswith("'") and looks_like_formula(value[1:]) else value
