"""Counts in the Qt-free layers (services, domain, sync, team, command line).

The UI uses Qt's plural forms (``mentordesk.ui.i18n.tr``); these layers must not import Qt,
so they use the standard library's gettext, which a translation catalogue can take over
the same way: ``counted(n, "{n} mentee", "{n} mentees")``.
"""

from __future__ import annotations

from gettext import ngettext


def counted(n: int, singular: str, plural: str) -> str:
    """``singular`` or ``plural`` as ``n`` needs, with ``{n}`` filled in."""
    return ngettext(singular, plural, n).format(n=n)
