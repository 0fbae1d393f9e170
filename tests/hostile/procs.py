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
