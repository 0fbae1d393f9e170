"""Starting second processes for the hostile-world tests (real processes, same file)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


@contextmanager
def holding(command: str, *args: str, ready: str = "held") -> Iterator[subprocess.Popen[str]]:
    """Run ``tests.hostile.children COMMAND ARGS`` until the block ends; it has taken what it
    holds when the block starts."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.hostile.children", command, *args], cwd=ROOT,
        env=child_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line == ready, f"child said {line!r}"
        yield proc
    finally:
        release(proc)


def release(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        try:
            assert proc.stdin is not None
            proc.stdin.write("\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def mentordesk(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """The real ``mentordesk`` command, in its own process."""
    return subprocess.run([sys.executable, "-m", "mentordesk", *args], cwd=ROOT,
                          env=child_env(**env), capture_output=True, text=True,
                          timeout=timeout, check=False)


class App:
    """The real desktop app (``python -m mentordesk --db PATH``, offscreen) in its own
    process, for as long as the ``with`` block runs."""

    def __init__(self, db: Path, *extra: str) -> None:
        self.db = db
        self.proc = subprocess.Popen([sys.executable, "-m", "mentordesk", "--db", str(db),
                                      *extra], cwd=ROOT, env=child_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_until_open(self, timeout: float = 30) -> None:
        """Until the app holds the file (it takes the app lock before anything else)."""
        import time

        from mentordesk.storage.locks import is_locked

        deadline = time.monotonic() + timeout
        while not is_locked(self.db, "app"):
            assert self.proc.poll() is None, self.proc.communicate()
            assert time.monotonic() < deadline, "the app never opened the file"
            time.sleep(0.05)

    def stop(self) -> tuple[str, str]:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            out, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return out, err

    def __enter__(self) -> App:
        self.wait_until_open()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
