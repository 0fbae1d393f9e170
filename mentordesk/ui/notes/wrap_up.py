"""After the call: the recap, and booking the next session (proposed in the background from
both people's working days, or picked by hand)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mentordesk.domain.timezones import zone
from mentordesk.errors import KnownError
from mentordesk.services.notes import NoteService
from mentordesk.services.sessions import SessionDraft, SessionRecord, SessionService, SlotProposal
from mentordesk.ui.errors import show_known_error
from mentordesk.ui.notes.schedule_dialog import ScheduleDialog
from mentordesk.ui.notes.wrap_up_dialog import WrapUpDialog
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.widgets.question import ask_act_or_keep


def confirm_held_early(parent: QWidget, rec: SessionRecord, mentor_zone: str) -> bool:
    """Ending a session that has not started yet: ask before marking it held (it then
    counts as held now, not on its planned day)."""
    when = rec.start_utc.astimezone(zone(mentor_zone))
    return ask_act_or_keep(
        parent, "Session not started yet",
        f"“{rec.display_title}” with {rec.mentee_name} is planned for "
        f"{when:%a %d %b %Y %H:%M}. Did it already happen?",
        "Marking it held moves it to now. Keep it planned if it is still to come.",
        "Mark as &held now", "&Keep it planned")


def wrap_up(parent: QWidget, sessions: SessionService, notes: NoteService, mentor_zone: str,
            rec: SessionRecord, row_id: int) -> tuple[WrapUpDialog | None, SessionDraft | None]:
    """Show the wrap-up of ``rec``; the dialog shown and the next session to plan, if any."""
    mentee_id = rec.mentee_id
    if mentee_id is None:
        return None, None
    try:
        recap = notes.recap_markdown(row_id)
    except KnownError as exc:
        show_known_error(parent, exc)
        return None, None
    dialog = WrapUpDialog(recap, None, rec.mentee_name,
                          "Looking for the next slot in both working days…", parent)

    def work(_control: TaskControl) -> SlotProposal:
        return sessions.propose_after_call(mentee_id, mentor=mentor_zone)

    def failed(exc: BaseException) -> None:
        dialog.set_proposal(None, exc.message if isinstance(exc, KnownError)
                            else "Could not propose a slot; pick one by hand.")

    run_task(work, on_success=dialog.set_proposal, on_error=failed)
    dialog.exec()
    proposal = dialog.proposal
    if dialog.choice == "book" and proposal is not None and not proposal.booked:
        return dialog, SessionDraft(
            mentee_id=mentee_id, start_utc=proposal.start_utc,
            duration_minutes=proposal.duration_minutes, timezone=mentor_zone,
            title=rec.title or "Check-in", meeting_link=None)
    if dialog.choice == "pick":
        result = ScheduleDialog.ask(sessions.mentee_choices(), mentor_zone, parent=parent,
                                    mentee_id=mentee_id,
                                    start=proposal.start_utc
                                    if proposal and not proposal.booked else None,
                                    duration=rec.duration_minutes)
        if result is not None:
            return dialog, SessionDraft(
                mentee_id=result.mentee_id, start_utc=result.start_utc,
                duration_minutes=result.duration_minutes, timezone=mentor_zone,
                title=result.title, rrule=result.rrule)
    return dialog, None
