"""Run ``mentordesk … team …`` as a real child process, with a file-backed keyring."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli_env(keyring_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHON_KEYRING_BACKEND"] = "tests.support.keyrings.FileKeyring"
    env["MENTORDESK_TEST_KEYRING"] = str(keyring_file)
    env.pop("PGPASSWORD", None)
    return env


def run(db: Path, *args: str, env: dict[str, str],
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mentordesk", "--db", str(db), "team", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def start(db: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "mentordesk", "--db", str(db), "team",
                             *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
