"""The sync window tests drive the real engine against the Calendar stand-in: they use the
fixtures of tests/sync (a migrated file, the stand-in, an in-memory keyring, an engine)."""

from tests.sync.conftest import (  # noqa: F401
    client_config,
    db,
    make_engine,
    memory_keyring,
    signin,
    standin,
    standin_server,
    template_db,
)
