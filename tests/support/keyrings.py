"""Keyring backends for the team tests: a real ``keyring`` backend in memory, and one in a
file named by $MENTORDESK_TEST_KEYRING for CLI runs in child processes (selected with
PYTHON_KEYRING_BACKEND=tests.support.keyrings.FileKeyring). Not a stand-in for PostgreSQL: only
the OS keyring is replaced, as tests/sync does."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from tests.sync.conftest import MemoryKeyring

__all__ = ["FileKeyring", "MemoryKeyring"]


class FileKeyring(KeyringBackend):
    priority = 1

    @property
    def path(self) -> Path:
        return Path(os.environ["MENTORDESK_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError("not found")
        self.path.write_text(json.dumps(data))
