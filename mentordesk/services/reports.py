"""A mentee's progress report (goals, milestones, sessions, notes) as Markdown or PDF.

Private notes are never part of a report: it is written to be shared with the mentee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from mentordesk.domain.goals import ProgressMode, format_number, progress, target_text
from mentordesk.domain.markdown import hard_line_breaks
from mentordesk.domain.timezones import zone
from mentordesk.errors import KnownError
from mentordesk.services.atomic_file import write_atomically
from mentordesk.storage import goals_repo
from mentordesk.storage import sessions_repo as repo
from mentordesk.storage.database import Database


class PdfRenderer(Protocol):
    """Markdown to PDF bytes (the app's is ``mentordesk.ui.pdf_export.render_markdown_pdf``:
    Qt's text engine, which this Qt-free layer does not import)."""

    def __call__(self, markdown: str, *, title: str) -> bytes: ...


@dataclass(frozen=True)
class MenteeChoice:
    id: int
    name: str


def find_mentee(db: Database, name: str) -> MenteeChoice:
    """The one mentee called ``name`` (exact, case-insensitive, or a unique part of it)."""
    wanted = name.strip()
    if not wanted:
        raise KnownError("Name the mentee whose report to write (--mentee NAME).")
    with db.reader() as s:
        found = [MenteeChoice(m.id, m.name) for m in repo.find_mentees_by_name(s, wanted)]
    if not found:
        raise KnownError(f"No mentee is called '{wanted}'.",
                         hint="Check the spelling; part of the name is enough.")
    if len(found) > 1:
        names = ", ".join(sorted(m.name for m in found)[:6])
        raise KnownError(f"'{wanted}' matches {len(found)} mentees ({names}…)"
                         if len(found) > 6 else f"'{wanted}' matches {len(found)} mentees "
                         f"({names}).", hint="Give the full name.")
    return found[0]


def _indent(text: str) -> str:
    # Notes are Markdown themselves; demote their headings so they nest under the session.
    out = []
    for line in text.strip().splitlines():
        if line.startswith("#"):
            line = "###" + line
        out.append(line)
    # Typed one point per line: each stays on its own line in the report.
    return hard_line_breaks("\n".join(out))


def _target(target_value: float | None, target_unit: str, current_value: float | None,
            mode: str) -> str:
    """'3 case studies, now 1 (33 %)'; empty when the goal has no measurable target."""
    target = target_text(target_value, target_unit)
    if not target:
        return ""
    if not target_value or target_value <= 0 or (current_value is None
                                                 and mode != ProgressMode.MEASURE):
        return target
    now = current_value or 0.0
    share = max(0, min(100, round(100 * now / target_value)))
    return f"{target}, now {format_number(now)} ({share} %)"


def report_markdown(db: Database, mentee_id: int, *, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    with db.reader() as s:
        mentee = repo.get_mentee(s, mentee_id)
        if mentee is None:
            raise KnownError("That mentee no longer exists.")
        try:
            tz = zone(mentee.timezone)
            zone_note = f"time zone {mentee.timezone}"
        except ValueError:
            tz = zone("UTC")
            zone_note = (f"time zone '{mentee.timezone}' is unknown, so times are in UTC "
                         "(pick a zone in the mentee's details)")
        columns = {c.id: c for c in goals_repo.columns(s)}
        goals = list(repo.mentee_goals(s, mentee_id))
        sessions = [r for r in repo.sessions_of_mentee(s, mentee_id) if r.rrule is None]
        notes: dict[int, list[str]] = {}
        for note in repo.shared_notes_of_mentee(s, mentee_id):
            if note.session_id is not None and note.body.strip():
                notes.setdefault(note.session_id, []).append(note.body)
        actions = list(repo.actions_of_mentee(s, mentee_id))
        titles = {g.id: g.title for g in goals}

        lines = [f"# Progress report: {mentee.name}", "",
                 f"Written {now.astimezone(tz):%d %B %Y} · {zone_note}", ""]
        lines += ["## Goals", ""]
        if not goals:
            lines += ["No goals yet.", ""]
        for g in goals:
            done = sum(1 for m in g.milestones if m.done)
            p = progress(g.progress_mode, milestones_done=done,
                         milestones_total=len(g.milestones), current_value=g.current_value,
                         target_value=g.target_value, target_unit=g.target_unit,
                         manual_progress=g.manual_progress)
            column = columns.get(g.column_id)
            status = column.name if column is not None else ""
            pct = f"{p.percent} %" if p.percent is not None else "—"
            lines.append(f"### {g.title}")
            lines.append("")
            lines.append(f"**Status:** {status} · **Progress:** {pct} ({p.label})"
                         + (f" · **Due:** {g.due_date:%d %b %Y}" if g.due_date else ""))
            lines.append("")
            target = _target(g.target_value, g.target_unit or "", g.current_value,
                             g.progress_mode)
            if target:
                lines += [f"**Target:** {target}", ""]
            if g.description.strip():
                lines += [hard_line_breaks(g.description.strip()), ""]
            for m in g.milestones:
                lines.append(f"- [{'x' if m.done else ' '}] {m.title}")
            if g.milestones:
                lines.append("")
        open_actions = [a for a in actions if a.kind == "action" and not a.done]
        lines += ["## Open action items", ""]
        if open_actions:
            for a in open_actions:
                goal = f" *(goal: {titles[a.goal_id]})*" if a.goal_id in titles else ""
                lines.append(f"- [ ] {a.text}{goal}")
        else:
            lines.append("None — all caught up.")
        lines.append("")
        held = [r for r in sessions if r.status == "held"]
        upcoming = [r for r in sessions if r.status == "scheduled" and r.start_utc >= now]
        lines += [f"## Sessions ({len(held)} held)", ""]
        for row in reversed(held):
            local = row.start_utc.astimezone(tz)
            lines.append(f"### {local:%d %b %Y} — {row.title or 'Session'}")
            lines.append("")
            for body in notes.get(row.id, []):
                lines += [_indent(body), ""]
            done_here = [a for a in actions if a.session_id == row.id and a.kind == "action"]
            if done_here:
                lines.append("**Agreed:**")
                lines.append("")
                lines += [f"- [{'x' if a.done else ' '}] {a.text}" for a in done_here]
                lines.append("")
        if upcoming:
            lines += ["## Next sessions", ""]
            for row in upcoming[:5]:
                lines.append(f"- {row.start_utc.astimezone(tz):%a %d %b %Y, %H:%M} — "
                             f"{row.title or 'Session'}")
            lines.append("")
    return "\n".join(lines)


def export_report(db: Database, mentee_name: str, path: Path, *,
                  render_pdf: PdfRenderer | None = None) -> None:
    """Write the report for the mentee called ``mentee_name``: Markdown for .md, PDF (made
    by ``render_pdf``) for .pdf."""
    mentee = find_mentee(db, mentee_name)
    markdown = report_markdown(db, mentee.id)
    suffix = path.suffix.lower()
    if suffix == ".md":
        data = markdown.encode("utf-8")
    elif suffix == ".pdf":
        if render_pdf is None:
            raise ValueError("a PDF report needs a renderer (ui.pdf_export)")
        try:
            data = render_pdf(markdown, title=f"Progress report: {mentee.name}")
        except OSError as exc:
            raise KnownError(f"Could not render the report for {path}: {exc}.") from exc
    else:
        raise KnownError(f"Reports are written as .md or .pdf, not '{suffix}'.")
    # Whole or not at all: a full disk leaves the previous report as it was.
    write_atomically(path, data)
