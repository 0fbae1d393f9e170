"""``mentordesk team …`` in real child processes against a real PostgreSQL: the whole
journey, secrets kept out of the file and the log, and one clear line for a bad join code,
a server that is down, and a revoked role, with local data kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select, text

from mentordesk.storage.database import open_database
from mentordesk.storage.schema import Mentee, Note
from mentordesk.team.membership import JoinCode, ServerAddress
from tests.support.keyrings import FileKeyring
from tests.support.team_server import Team
from tests.team.cli_runner import cli_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "keyring.json")


def _one_line_error(result) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return str(lines[0])


def _every_byte(paths: list[Path]) -> bytes:
    return b"".join(p.read_bytes() for p in paths if p.is_file())


def test_init_invite_join_sync_status_leave(team: Team, tmp_path: Path,
                                            env: dict[str, str]) -> None:
    admin_db, desk_db = tmp_path / "admin.sqlite3", tmp_path / "desk.sqlite3"
    url = team.cluster.url(team.database)
    result = run(admin_db, "init", url, env=env)
    assert result.returncode == 0, result.stderr
    assert "Team ready" in result.stdout
    assert run(admin_db, "init", url, env=env).returncode == 0  # idempotent
    result = run(admin_db, "invite", team.name("alice"), env=env)
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip()
    assert len(code.splitlines()) == 1 and code.startswith("MDT1.")
    secret = JoinCode.decode(code).secret

    db = open_database(desk_db)
    with db.transaction() as s:
        mentee = Mentee(name="Ada")
        s.add(mentee)
        s.flush()
        s.add(Note(mentee_id=mentee.id, body="kept on the desk"))
    db.close()
    result = run(desk_db, "join", code, env=env)
    assert result.returncode == 0, result.stderr
    assert "Joined" in result.stdout and "(mentor)" in result.stdout
    assert "push:" in result.stdout  # progress of the first full sync

    member = team.connect_as(JoinCode.decode(code))
    with member.connect() as conn:
        assert conn.scalar(text("SELECT body FROM team.notes")) == "kept on the desk"
    member.dispose()

    db = open_database(desk_db)
    with db.transaction() as s:
        s.scalars(select(Note)).one().body = "edited after joining"
    db.close()
    result = run(desk_db, "sync", env=env)
    assert result.returncode == 0 and "pushed 1" in result.stdout, result.stdout
    result = run(desk_db, "status", env=env)
    assert "Team: online, 0 changes waiting" in result.stdout, result.stdout

    # Secrets: in the keyring only, never in the database files or the log.
    files = [p for p in tmp_path.iterdir() if p.name.startswith(("admin.", "desk."))]
    log_dir = Path(os.environ["MENTORDESK_LOG_DIR"])
    logs = list(log_dir.rglob("*")) if log_dir.exists() else []
    haystack = _every_byte(files) + _every_byte(logs)
    assert files and secret.encode() not in haystack
    assert team.cluster.password.encode() not in haystack
    os.environ["MENTORDESK_TEST_KEYRING"] = env["MENTORDESK_TEST_KEYRING"]
    try:
        backend = FileKeyring()  # type: ignore[no-untyped-call]
        stored = backend.get_password("MentorDesk team", f"{team.name('alice')}@127.0.0.1:"
                                      f"{team.cluster.port}/{team.database}")
    finally:
        del os.environ["MENTORDESK_TEST_KEYRING"]
    assert stored == secret

    result = run(desk_db, "leave", env=env)
    assert result.returncode == 0 and "kept" in result.stdout
    assert secret not in Path(env["MENTORDESK_TEST_KEYRING"]).read_text()
    db = open_database(desk_db)
    with db.reader() as s:
        assert s.scalars(select(Note.body)).one() == "edited after joining"
    db.close()
    assert "not in a team" in run(desk_db, "status", env=env).stdout


def test_a_bad_join_code_is_one_clear_line(tmp_path: Path, env: dict[str, str]) -> None:
    desk_db = tmp_path / "desk.sqlite3"
    for code in ("nonsense", "MDT1.eyJoIjoxfQ.00000000"):
        line = _one_line_error(run(desk_db, "join", code, env=env))
        assert "join code is not valid" in line


def test_a_server_that_is_down_is_one_clear_line(tmp_path: Path, env: dict[str, str]) -> None:
    code = JoinCode(ServerAddress("127.0.0.1", 9, "nowhere", "disable"), "alice", "s3cret")
    line = _one_line_error(run(tmp_path / "desk.sqlite3", "join", code.encode(), env=env))
    assert "cannot reach 127.0.0.1:9/nowhere" in line


def test_a_revoked_role_is_one_clear_line_and_data_stays(team: Team, tmp_path: Path,
                                                          env: dict[str, str]) -> None:
    desk_db = tmp_path / "desk.sqlite3"
    code = team.invite("alice")
    assert run(desk_db, "join", code.encode(), env=env).returncode == 0
    db = open_database(desk_db)
    with db.transaction() as s:
        s.add(Mentee(name="Ada"))
    db.close()
    with team.admin.begin() as conn:
        conn.execute(text(f'ALTER ROLE "{code.member}" NOLOGIN'))
    line = _one_line_error(run(desk_db, "sync", env=env))
    assert "no longer accepts this desk's sign-in" in line and "kept" in line
    with team.admin.begin() as conn:
        conn.execute(text(f'ALTER ROLE "{code.member}" LOGIN'))
        conn.execute(text(f'REVOKE mentordesk_mentor FROM "{code.member}"'))
    line = _one_line_error(run(desk_db, "sync", env=env))
    assert "no longer" in line and "kept" in line  # out of the team: not even CONNECT
    db = open_database(desk_db)
    with db.reader() as s:
        assert s.scalars(select(Mentee.name)).one() == "Ada"
    db.close()
