"""Logging: named loggers per subsystem, a rotating file, and no token ever written.

Every module logs to ``logging.getLogger("jamdeck.<subsystem>")`` (see
``SUBSYSTEMS``). ``setup_logging`` sends them to stderr (warnings only, or
everything with ``--verbose``) and to ``jamdeck.log`` in the state directory,
rotated at 1 MB with 5 old files kept (at ``file_level``: the ``log_level``
setting, read by the caller; ``set_file_level`` changes it later). Both outputs pass through
``RedactingFilter``, so a bearer token in an exception message or a URL with
``access_token=`` in a library's debug line is masked before it is written.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

from desktop.core import paths

ROOT = "jamdeck"
SUBSYSTEMS = (
    "jamdeck.cli",
    "jamdeck.ui",
    "jamdeck.store",
    "jamdeck.ingest",
    "jamdeck.settings",
    "jamdeck.credentials",
    "jamdeck.sources.x",
    "jamdeck.sources.mastodon",
    "jamdeck.sources.bluesky",
    "jamdeck.sources.replay",
    "jamdeck.export",
)
LOG_FILE = "jamdeck.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(name)s %(levelname)s: %(message)s"
REDACTED = "[REDACTED]"

_SECRET_NAME = (
    r"[A-Za-z_]*(?:token|secret|password|passwd|api_?key|jwt|signature|verifier)[A-Za-z_]*"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Authorization: Bearer AAAA...", "Bearer eyJ...": whatever follows the scheme.
    (re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/%=-]+", re.IGNORECASE), rf"\1 {REDACTED}"),
    # access_token=..., "refreshJwt": "...", client_secret: ..., password=...
    (
        re.compile(
            rf"\b({_SECRET_NAME})(\\?[\"']?\s*[:=]\s*\\?[\"']?)([^\s&\"',;}}\\]+)", re.IGNORECASE
        ),
        rf"\1\2{REDACTED}",
    ),
    # A JSON Web Token (Bluesky session tokens): three base64url parts, the first "eyJ".
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
    # A Bluesky app password: xxxx-xxxx-xxxx-xxxx.
    (re.compile(r"\b[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\b"), REDACTED),
    # A long hex string (API secrets, OAuth signatures).
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), REDACTED),
    # A long base64/base64url string mixing upper case, lower case and digits
    # (Mastodon and X tokens). Requiring all three spares ids, DIDs, CIDs and words.
    (
        re.compile(
            r"(?<![A-Za-z0-9+_-])(?=[A-Za-z0-9+_-]*[A-Z])(?=[A-Za-z0-9+_-]*[a-z])"
            r"(?=[A-Za-z0-9+_-]*[0-9])[A-Za-z0-9+_-]{32,}=*"
        ),
        REDACTED,
    ),
)


def redact(text: str) -> str:
    """``text`` with anything that looks like a credential replaced by [REDACTED]."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, exception text and stack before any handler writes it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad %-args: keep what we can, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (click's test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


_OURS = "_jamdeck_handler"


def setup_logging(
    *, verbose: bool, state_dir: Path | None = None, file_level: int | str = logging.INFO
) -> Path | None:
    """Configure JamDeck's logging; returns the log file path (None if it cannot be written).

    Safe to call more than once: the handlers of the previous call are replaced.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
            handler.close()

    redacting = RedactingFilter()
    formatter = logging.Formatter(FORMAT)

    stderr = _StderrHandler()
    stderr.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handlers: list[logging.Handler] = [stderr]

    log_path: Path | None = None
    directory = Path(state_dir) if state_dir is not None else paths.state_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        log_path = directory / LOG_FILE
        rotating = logging.handlers.RotatingFileHandler(
            log_path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
        rotating.setLevel(logging.DEBUG if verbose else file_level)
        rotating._jamdeck_verbose = verbose  # set_file_level leaves --verbose alone
        handlers.append(rotating)
    except OSError as exc:
        log_path = None
        print(f"JamDeck: cannot write a log file in {directory}: {exc}", file=sys.stderr)

    for handler in handlers:
        handler.addFilter(redacting)
        handler.setFormatter(formatter)
        setattr(handler, _OURS, True)
        root.addHandler(handler)

    # Ours in detail; other libraries (httpx, urllib3, tweepy) only when they warn,
    # unless --verbose asks for everything.
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger(ROOT).setLevel(logging.DEBUG if verbose else file_level)
    return log_path


def set_file_level(level: int | str) -> bool:
    """Log ``level`` and above to the file from now on (the ``log_level`` setting).

    Changes only what ``setup_logging`` set up, and nothing under ``--verbose``
    (which logs everything); returns whether there was a file to change.
    """
    for handler in logging.getLogger().handlers:
        if getattr(handler, _OURS, False) and isinstance(
            handler, logging.handlers.RotatingFileHandler
        ):
            if not getattr(handler, "_jamdeck_verbose", False):
                handler.setLevel(level)
                logging.getLogger(ROOT).setLevel(level)
            return True
    return False
