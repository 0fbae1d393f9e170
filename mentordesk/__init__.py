"""MentorDesk: a desktop workspace for mentors."""

from __future__ import annotations

APP_NAME = "MentorDesk"
APP_ID = "mentordesk"
DIST_NAME = "mentordesk"

_version: str | None = None


def version() -> str:
    """The installed package's version, from its metadata (pyproject.toml is the one source).

    Looked up on first use: importlib.metadata costs ~20 ms, which start-up does not pay.
    """
    global _version
    if _version is None:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version

        try:
            _version = dist_version(DIST_NAME)
        except PackageNotFoundError:  # run from a source tree that was never installed
            _version = "0+unknown"
    return _version


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
