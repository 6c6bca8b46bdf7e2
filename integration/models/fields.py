"""Encrypted model fields: OAuth tokens and service-account secrets at rest (CONN-3, REL-7, SEC-1).

Fernet (from `cryptography`) with the keys in FIELD_ENCRYPTION_KEY. Several comma-separated keys
allow rotation: the first encrypts, every key decrypts (MultiFernet). The settings always hold a key:
the environment's, or with DEBUG on the random one generated beside the database (config/keys.py).

A stored value that no key decrypts (the key changed, or was lost) reads as an `UnreadableSecret`: an
empty string that remembers the stored text and writes it back unchanged, so a page that loads the row
still opens, a save of other fields never destroys it, and `rotate_keys` can still recover it once the
old key is given back. `Connection.key_changed` tells the admin; the system check names the rows.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


class UnreadableSecret(str):
    """A stored secret that cannot be decrypted: "" to the code, its stored text kept for the database."""

    stored: str

    def __new__(cls, stored: str):
        value = super().__new__(cls, "")
        value.stored = stored
        return value

    def __repr__(self):
        return "UnreadableSecret()"


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is empty: stored secrets cannot be encrypted.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in parts])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY)


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(value: str) -> str:
    """The clear text of a stored value, or an UnreadableSecret when no key of FIELD_ENCRYPTION_KEY opens it."""
    if not value.startswith(PREFIX):
        return UnreadableSecret(value)
    try:
        return fernet().decrypt(value[len(PREFIX):].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        return UnreadableSecret(value)


def is_unreadable(value) -> bool:
    return isinstance(value, UnreadableSecret)


class EncryptedTextField(models.TextField):
    """A text column whose database value is a Fernet token; Python sees the clear text."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        if isinstance(value, UnreadableSecret):
            return value.stored
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
