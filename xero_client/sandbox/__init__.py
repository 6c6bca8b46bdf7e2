"""A stateful fake of Xero (see app.py). `XeroSandbox().wsgi_app` serves every Xero face."""

from .app import XeroSandbox
from .books import Books

__all__ = ["Books", "XeroSandbox"]
