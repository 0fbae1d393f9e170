"""A throwaway PostgreSQL cluster for the team tests: initdb + pg_ctl on a temp dir and a
free port, run as an unprivileged user (initdb refuses root), stopped in teardown.

Never a stand-in: the tests of team mode run against this real server. Where PostgreSQL is
not installed, the tests skip, except when MENTORDESK_REQUIRE_POSTGRES=1 (CI), where a
missing server fails them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SERVICE_USER = "postgres"  # made by Debian's postgresql package
FALLBACK_USER = "mentordesk-pg"
ADMIN = "admin"


def find_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian layout first, then PATH)."""
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        versions = sorted((p for p in root.iterdir() if (p / "bin" / "initdb").exists()),
                          key=lambda p: int(p.name) if p.name.isdigit() else 0)
        if versions:
            return versions[-1] / "bin"
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as_user() -> str | None:
    """The user to run the server as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in (SERVICE_USER, FALLBACK_USER):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    FALLBACK_USER], check=True)
    return FALLBACK_USER


@dataclass
class Cluster:
    bindir: Path
    root: Path
    port: int
    password: str
    user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", user: str = ADMIN,
            password: str | None = None) -> str:
        from sqlalchemy import URL

        return URL.create("postgresql+psycopg", username=user,
                          password=password if password is not None else self.password,
                          host="127.0.0.1", port=self.port,
                          database=database).render_as_string(hide_password=False)

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.user, "--", *cmd] if self.user else cmd

    def init(self) -> None:
        pw = self.root / "pw"
        pw.write_text(self.password)
        if self.user:
            shutil.chown(self.root, self.user)
            shutil.chown(pw, self.user)
        subprocess.run(self._cmd("initdb", "-D", str(self.data), "-A", "scram-sha-256",
                                 f"--pwfile={pw}", "-U", ADMIN, "-E", "UTF8", "--locale=C",
                                 "--no-sync"),
                       check=True, capture_output=True)
        pw.unlink()

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c full_page_writes=off -c max_connections=300 "
                "-c shared_buffers=64MB")
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.data), "-o", opts,
                                 "-l", str(self.root / "log"), "-w", "-t", "30", "start"),
                       check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop"),
                       capture_output=True)

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend: a crash, not a shutdown."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                  text=True).stdout.split()
        for p in [pid, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    bindir = find_bin()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL is not installed (no initdb found)")
    user = _run_as_user()
    root = Path(tempfile.mkdtemp(prefix="mentordesk-pg-"))
    os.chmod(root, 0o700)
    cluster = Cluster(bindir, root, _free_port(), secrets.token_urlsafe(16), user)
    try:
        cluster.init()
        cluster.start()
    except BaseException:
        cluster.stop("immediate")
        cluster.remove()
        raise
    return cluster
