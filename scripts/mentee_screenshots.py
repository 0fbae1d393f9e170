"""Render the Mentees view screenshots (list with a profile, and the form) offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/mentee_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

from shot_kit import pump, start


def main() -> int:
    shoot = start("mentee")
    from mentordesk.services.mentees import MenteeService
    from mentordesk.ui.mentees.editor import MenteeEditor
    from mentordesk.ui.mentees.view import MenteesView

    app, db = shoot.app, shoot.db
    window = shoot.window(1360, 820)
    window.show_view("mentees")
    view = window.current_view()
    assert isinstance(view, MenteesView)
    while not view.loaded:
        app.processEvents()
    # The most urgent mentee with a call link and open items makes the richest profile.
    service = MenteeService(db)
    pick = next(r for r in view.model.all_rows()
                if r.meeting_link and not r.archived and r.last_held is not None)
    view.select_mentee(pick.id)
    pump(0.3)
    shoot.save(window, "mentees.png")
    editor = MenteeEditor(window, f"Edit {pick.name}", service.get(pick.id).data,
                          service.all_tags())
    editor.show()
    editor.adjustSize()
    pump(0.3)
    shoot.save(editor, "mentee-form.png")
    editor.close()
    window.close()
    pump(0.1)
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
