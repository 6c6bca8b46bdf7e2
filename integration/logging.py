"""A logging filter that keeps secrets out of every log line (REL-7)."""

import logging

from integration.redaction import redact_text


class OneLineRefusals(logging.Filter):
    """A refused request (403) is logged as one line with its reason, not with a traceback: a refusal
    is the permissions working, not an error to debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", None) == 403 and record.exc_info:
            reason = record.exc_info[1]
            try:
                message = record.getMessage()
            except Exception:
                return True
            record.msg, record.args = (f"{message}: {reason}" if str(reason or "") else message), None
            record.exc_info, record.exc_text = None, None
        return True


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
