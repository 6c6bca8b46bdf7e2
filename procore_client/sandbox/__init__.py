"""A stateful fake of Procore (API + OAuth) as a plain WSGI app: see ``app.ProcoreSandbox``."""

from .app import ProcoreSandbox
from .clock import FakeClock
from .records import KINDS, ValidationFailed

__all__ = ["KINDS", "FakeClock", "ProcoreSandbox", "ValidationFailed"]
