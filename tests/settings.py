"""The test suite's settings: the project's own, with throwaway keys (SEC-1).

Each run gets random SECRET_KEY and FIELD_ENCRYPTION_KEY in its environment before the project's settings
load, so the suite neither reads a keys file left by an earlier run nor writes one into the project folder;
the processes a test starts (a qcluster, `manage.py shell`) inherit the same keys.
"""

import os
import secrets

from cryptography.fernet import Fernet

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())

from config.settings import *  # noqa: E402,F403
