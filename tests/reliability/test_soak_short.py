"""The soak (tests/bench/soak.py) in the default suite: the same pipeline, faults and reconciliation with
a small size (SOAK_SHORT_SIZE, default 12 records of each exportable type), so every change is checked for
lost and duplicated records under dropped answers, 429s, 500s and timeouts."""

import os

import pytest

from tests.bench.soak import run_soak

pytestmark = pytest.mark.django_db

SHORT_SIZE = int(os.environ.get("SOAK_SHORT_SIZE", "12"))


def test_soak_short(link, sandboxes):
    """SYNC-8, REL-2, REL-3, PAY-5, JC-5: a short soak of every exportable type through pull, export and the
    imports under dropped answers, 429s, 500s and timeouts: no record lost or duplicated in Xero or
    Procore."""
    result = run_soak(link, sandboxes, SHORT_SIZE)
    assert all(missing == dup == 0 for _want, _found, missing, dup in result["checks"].values())
