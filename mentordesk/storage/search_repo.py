"""Full-text queries over the FTS5 external-content indexes (migration 0002).

Ranking every match of a word found in most of 100,000 notes costs ~100 ms (bm25 and
ORDER BY rank visit every match), so each index is asked for its newest ``limit + 1``
matches: walking the doclist backwards from the newest row stops early. When there are at
most ``limit`` matches they are all there and get ranked by bm25; otherwise the newest
``limit`` are listed, newest first (recency instead of rank, as for any word in most notes).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session as OrmSession

# index -> (column whose snippet we show, number of columns)
INDEXES: dict[str, tuple[int, int]] = {
    "notes_fts": (0, 1),
    "sessions_fts": (-1, 2),
    "goals_fts": (-1, 3),
    "mentees_fts": (-1, 3),
}
HIGHLIGHT_OPEN = "\x02"
HIGHLIGHT_CLOSE = "\x03"
ELLIPSIS = "…"


@dataclass(frozen=True)
class FtsHit:
    rowid: int
    snippet: str
    score: float


def fts_search(db: OrmSession, index: str, match: str, *, limit: int) -> tuple[list[FtsHit],
                                                                               bool]:
    """Top ``limit`` hits of ``match`` in ``index``; the flag says there were more, in which
    case the hits are the newest ones, unranked (score 0)."""
    if index not in INDEXES:
        raise ValueError(f"unknown index {index}")
    column, _ = INDEXES[index]
    params = {"q": match, "limit": limit + 1, "o": HIGHLIGHT_OPEN, "c": HIGHLIGHT_CLOSE,
              "e": ELLIPSIS}
    # Newest first stops after limit + 1 rows however common the words are, and needs no
    # bm25 (whose document counts walk each term's whole doclist).
    rows = db.execute(text(
        f"SELECT rowid, snippet({index}, {column}, :o, :c, :e, 12) FROM {index} "
        f"WHERE {index} MATCH :q ORDER BY rowid DESC LIMIT :limit"), params).fetchall()
    if len(rows) > limit:
        return [FtsHit(int(r[0]), str(r[1] or ""), 0.0) for r in rows[:limit]], True
    if not rows:
        return [], False
    # Few matches: rank them all (cheap, their doclists are short).
    scores = {int(r[0]): float(r[1]) for r in db.execute(text(
        f"SELECT rowid, bm25({index}) FROM {index} WHERE {index} MATCH :q"), {"q": match})}
    hits = [FtsHit(int(r[0]), str(r[1] or ""), scores.get(int(r[0]), 0.0)) for r in rows]
    hits.sort(key=lambda h: h.score)
    return hits, False


def note_context(db: OrmSession, ids: list[int]) -> dict[int, tuple[int | None, int, str,
                                                                     object, str]]:
    """note id -> (session id, mentee id, mentee name, session start, session title)."""
    if not ids:
        return {}
    marks = ",".join(str(int(i)) for i in ids)
    rows = db.execute(text(
        "SELECT n.id, n.session_id, n.mentee_id, m.name, s.start_utc, s.title "
        "FROM notes n JOIN mentees m ON m.id = n.mentee_id "
        f"LEFT JOIN sessions s ON s.id = n.session_id WHERE n.id IN ({marks})"
    )).fetchall()
    return {int(r[0]): (r[1], int(r[2]), str(r[3]), r[4], str(r[5] or "")) for r in rows}


def session_context(db: OrmSession, ids: list[int]) -> dict[int, tuple[int | None, str, object,
                                                                        str]]:
    """session id -> (mentee id, mentee name, start, title)."""
    if not ids:
        return {}
    marks = ",".join(str(int(i)) for i in ids)
    rows = db.execute(text(
        "SELECT s.id, s.mentee_id, m.name, s.start_utc, s.title FROM sessions s "
        f"LEFT JOIN mentees m ON m.id = s.mentee_id WHERE s.id IN ({marks})"
    )).fetchall()
    return {int(r[0]): (r[1], str(r[2] or ""), r[3], str(r[4] or "")) for r in rows}


def goal_context(db: OrmSession, ids: list[int]) -> dict[int, tuple[int, str, str]]:
    """goal id -> (mentee id, mentee name, goal title)."""
    if not ids:
        return {}
    marks = ",".join(str(int(i)) for i in ids)
    rows = db.execute(text(
        "SELECT g.id, g.mentee_id, m.name, g.title FROM goals g "
        f"JOIN mentees m ON m.id = g.mentee_id WHERE g.id IN ({marks})"
    )).fetchall()
    return {int(r[0]): (int(r[1]), str(r[2]), str(r[3])) for r in rows}


def mentee_context(db: OrmSession, ids: list[int]) -> dict[int, tuple[str, bool]]:
    if not ids:
        return {}
    marks = ",".join(str(int(i)) for i in ids)
    rows = db.execute(text(
        f"SELECT id, name, archived FROM mentees WHERE id IN ({marks})")).fetchall()
    return {int(r[0]): (str(r[1]), bool(r[2])) for r in rows}
