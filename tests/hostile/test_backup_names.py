"""Backups of ``a.db`` and ``a.sqlite3`` in one folder used to share names, so rotating one
file's backups deleted the other's; and a root run on another user's file made a root-owned
``backups/`` beside it (docs/reliability.md: "Backups of a.db and a.sqlite3 in one
folder")."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from mentordesk.storage.backup import create_backup, list_backups
from mentordesk.storage.database import open_database
from tests.services.test_sessions import add_mentee


def _names(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM mentees")]
    finally:
        conn.close()


def test_namesakes_keep_their_own_backups(tmp_path: Path) -> None:
    first, second = tmp_path / "a.sqlite3", tmp_path / "a.db"
    for path, name in ((first, "In a.sqlite3"), (second, "In a.db")):
        db = open_database(path)
        add_mentee(db, name=name)
        db.close()
    for _ in range(4):
        create_backup(first, keep=3)
    for _ in range(4):
        create_backup(second, keep=3)
    mine, theirs = list_backups(first), list_backups(second)
    assert len(mine) == 3 and len(theirs) == 3
    assert not {b.path for b in mine} & {b.path for b in theirs}
    assert all(_names(b.path) == ["In a.sqlite3"] for b in mine)
    assert all(_names(b.path) == ["In a.db"] for b in theirs)


def test_backups_under_the_old_names_are_still_listed(tmp_path: Path) -> None:
    path = tmp_path / "mentordesk.sqlite3"
    open_database(path).close()
    made = create_backup(path)
    legacy = made.with_name(made.name.replace("mentordesk.sqlite3-", "mentordesk-"))
    made.rename(legacy)
    assert [b.path for b in list_backups(path)] == [legacy]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can run on another user's file")
def test_root_makes_backups_the_file_owner_can_manage(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    path = tmp_path / "theirs.sqlite3"
    open_database(path).close()
    os.chown(path, 65534, 65534)
    link = tmp_path / "link.sqlite3"
    link.symlink_to(path)
    made = create_backup(link.resolve())
    assert made.parent.stat().st_uid == 65534
    assert made.stat().st_uid == 65534
