"""Credentials: only in the OS keyring, or in memory for this run when there is none.

Never in SQLite, settings files, logs or exports. Headless runs may also take
them from documented environment variables (``JAMDECK_X_BEARER_TOKEN``,
``JAMDECK_MASTODON_TOKEN``, ``JAMDECK_BLUESKY_HANDLE`` /
``JAMDECK_BLUESKY_APP_PASSWORD``), read by the adapters through ``from_env``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

log = logging.getLogger("jamdeck.credentials")

SERVICE = "jamdeck"


class CredentialStore:
    """get/set/delete secrets by a name such as ``"x:bearer:default"``.

    ``backend`` is a keyring backend object (tests pass an in-memory one); by
    default the OS keyring is used when it is usable. When it is not, secrets
    are kept in memory for this run only and ``persistent`` is False, with
    ``warning`` saying why, so the UI can tell the user.
    """

    def __init__(self, *, backend=None, service: str = SERVICE) -> None:
        self._service = service
        self._memory: dict[str, str] = {}
        self.warning = ""
        self._keyring = None
        if backend is not None:
            self._keyring = backend
        else:
            self._keyring = _usable_os_keyring()
            if self._keyring is None:
                self.warning = (
                    "No usable system keyring was found: credentials are kept for this "
                    "session only and must be entered again next time."
                )

    @property
    def persistent(self) -> bool:
        return self._keyring is not None

    def get(self, name: str) -> str | None:
        if name in self._memory:
            return self._memory[name]
        if self._keyring is None:
            return None
        try:
            return self._keyring.get_password(self._service, name)
        except Exception as exc:  # keyring backends raise their own error types
            log.warning("keyring read failed for %s: %s", name, type(exc).__name__)
            return None

    def set(self, name: str, secret: str) -> None:
        if self._keyring is not None:
            try:
                self._keyring.set_password(self._service, name, secret)
                self._memory.pop(name, None)
                return
            except Exception as exc:
                log.warning("keyring write failed for %s: %s", name, type(exc).__name__)
                self.warning = (
                    "The system keyring refused to store the credentials: they are kept "
                    "for this session only."
                )
        self._memory[name] = secret

    def delete(self, name: str) -> None:
        self._memory.pop(name, None)
        if self._keyring is not None:
            try:
                self._keyring.delete_password(self._service, name)
            except Exception:  # not there: nothing to delete
                pass


def _usable_os_keyring():
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    # A chainer with no real backend behind it is as good as none.
    priority = getattr(backend, "priority", 1)
    if priority is not None and priority <= 0:
        return None
    return backend


def from_env(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """A credential from the environment (headless runs), or None."""
    value = (environ if environ is not None else os.environ).get(name, "").strip()
    return value or None


class MemoryKeyring:
    """An in-memory keyring backend with keyring's three methods (tests, demos)."""

    priority = 1

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)
