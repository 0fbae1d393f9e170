"""Search across notes, agendas, goals and mentees: ranked hits with highlighted snippets.

Queries are built from the words the user typed, never passed through as FTS5 syntax, so a
stray quote or ``AND`` cannot raise. The last word is a prefix while the user is still
typing it ("negot" finds "negotiation").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from mentordesk.storage import search_repo as repo
from mentordesk.storage.database import Database

HIGHLIGHT_OPEN = repo.HIGHLIGHT_OPEN
HIGHLIGHT_CLOSE = repo.HIGHLIGHT_CLOSE
DEFAULT_LIMIT = 50
_WORD = re.compile(r"\w+", re.UNICODE)
# Kinds in the order results are shown when scores tie: people and goals are short texts
# and usually what a name search is after.
KIND_ORDER = {"mentee": 0, "goal": 1, "note": 2, "agenda": 3}
AGENDA_WEIGHT = 0.3


@dataclass(frozen=True)
class SearchHit:
    kind: str  # note | agenda | goal | mentee
    id: int  # row id in its table
    title: str
    snippet: str  # with HIGHLIGHT_OPEN/HIGHLIGHT_CLOSE around matched words
    mentee_id: int | None
    mentee_name: str
    session_id: int | None
    when: datetime | None
    score: float

    def plain_snippet(self) -> str:
        return self.snippet.replace(HIGHLIGHT_OPEN, "").replace(HIGHLIGHT_CLOSE, "")

    def highlighted_words(self) -> list[str]:
        return re.findall(f"{HIGHLIGHT_OPEN}(.*?){HIGHLIGHT_CLOSE}", self.snippet)


def build_match(query: str, *, prefix: bool = True) -> str | None:
    """An FTS5 MATCH expression: every word must occur; the last one as a prefix while typing.

    None when there is nothing to search for.
    """
    words = _WORD.findall(query)
    if not words:
        return None
    typing = prefix and not query[-1:].isspace()
    parts = [f'"{w}"' for w in words]
    last = words[-1]
    # A 1-character prefix matches half the vocabulary: wait for the second character.
    if typing and len(last) >= 2:
        parts[-1] = f'"{last}"*'
    elif typing and len(words) > 1:
        parts.pop()
    return " ".join(parts)


def _as_datetime(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    except ValueError:
        return None


_MARKUP = re.compile(r"[#*>`]+")


def _tidy(snippet: str) -> str:
    """One line without Markdown markup: a snippet is read, not rendered."""
    return " ".join(_MARKUP.sub(" ", snippet.replace("\n", " ")).split())


class SearchService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, query: str, *, limit: int = DEFAULT_LIMIT,
               kinds: tuple[str, ...] = ("mentee", "goal", "note", "agenda"),
               prefix: bool = True) -> list[SearchHit]:
        found = self._search(build_match(query, prefix=prefix), limit, kinds)
        words = _WORD.findall(query)
        typing = prefix and bool(words) and not query[-1:].isspace()
        # The index holds porter stems ("negotiation" is "negoti"), so a half-typed word
        # longer than its stem ("negotia") matches nothing: shorten it until something does.
        last = words[-1] if words else ""
        while not found and typing and len(last) > 4:
            last = last[:-1]
            found = self._search(build_match(" ".join([*words[:-1], last])), limit, kinds)
        return found

    def _search(self, match: str | None, limit: int, kinds: tuple[str, ...]
                ) -> list[SearchHit]:
        if match is None:
            return []
        hits: list[SearchHit] = []
        with self.db.reader() as s:
            if "mentee" in kinds:
                found, _ = repo.fts_search(s, "mentees_fts", match, limit=10)
                ctx = repo.mentee_context(s, [h.rowid for h in found])
                for h in found:
                    name, archived = ctx.get(h.rowid, ("", False))
                    hits.append(SearchHit("mentee", h.rowid, name + (" (archived)"
                                                                     if archived else ""),
                                          _tidy(h.snippet), h.rowid, name, None, None, h.score))
            if "goal" in kinds:
                found, _ = repo.fts_search(s, "goals_fts", match, limit=10)
                gctx = repo.goal_context(s, [h.rowid for h in found])
                for h in found:
                    if h.rowid not in gctx:
                        continue
                    mentee_id, name, title = gctx[h.rowid]
                    hits.append(SearchHit("goal", h.rowid, title, _tidy(h.snippet), mentee_id,
                                          name, None, None, h.score))
            texts: list[SearchHit] = []
            if "note" in kinds:
                found, _ = repo.fts_search(s, "notes_fts", match, limit=limit)
                nctx = repo.note_context(s, [h.rowid for h in found])
                for h in found:
                    if h.rowid not in nctx:
                        continue
                    session_id, mentee_id, name, start, title = nctx[h.rowid]
                    texts.append(SearchHit("note", h.rowid, title or "Session notes",
                                           _tidy(h.snippet), mentee_id, name, session_id,
                                           _as_datetime(start), h.score))
            if "agenda" in kinds:
                found, _ = repo.fts_search(s, "sessions_fts", match, limit=limit)
                sctx = repo.session_context(s, [h.rowid for h in found])
                for h in found:
                    if h.rowid not in sctx:
                        continue
                    owner, name, start, title = sctx[h.rowid]
                    texts.append(SearchHit("agenda", h.rowid, title or "Session",
                                           _tidy(h.snippet), owner, name, h.rowid,
                                           _as_datetime(start), h.score))
        hits.sort(key=lambda h: (h.score, KIND_ORDER[h.kind]))
        # A session title is a few words, so bm25 rates it far above a note that says the
        # same at length; the notes are what people search for, so titles count less.
        texts.sort(key=lambda h: (h.score * (AGENDA_WEIGHT if h.kind == "agenda" else 1.0),
                                  -(h.when.timestamp() if h.when else 0)))
        return (hits + texts)[:limit]
