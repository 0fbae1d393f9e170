"""Markdown as mentors type it: one thought per line.

In Markdown a single newline is a "soft break" and renders as a space, so notes typed one
line per point ran together in the preview and the report. ``hard_line_breaks`` turns each
soft break of a paragraph into a hard one (two trailing spaces) and leaves every other
construct exactly as it was: code (fenced or indented), headings, tables, thematic breaks
and the line before a setext underline.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
# "===" or "---" under a line makes that line a heading; "***", "---", "___" alone a rule.
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_INDENTED_CODE = re.compile(r"^( {4}|\t)")
HARD_BREAK = "  "


def _is_table_delimiter(line: str) -> bool:
    return "|" in line and _TABLE_DELIMITER.match(line) is not None


def _closes(line: str, fence: str) -> bool:
    match = _FENCE.match(line)
    return (match is not None and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence) and not line[match.end():].strip())


def _keeps_its_end(line: str, following: str) -> bool:
    """True when ``line`` must end as typed: a break there would mean something else, or
    nothing (the end of a paragraph, a heading, a rule)."""
    return (not line.strip() or not following.strip()
            or line.endswith((HARD_BREAK, "\\"))
            or _ATX_HEADING.match(line) is not None
            or _THEMATIC_BREAK.match(line) is not None
            or _SETEXT_UNDERLINE.match(line) is not None
            or _SETEXT_UNDERLINE.match(following) is not None
            or _is_table_delimiter(following))


def hard_line_breaks(text: str) -> str:
    """``text`` with each line break inside a paragraph made a hard break."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    fence: str | None = None
    in_table = False
    # Indented code starts after a blank line (it cannot interrupt a paragraph).
    after_blank = True
    in_code = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        blank = not line.strip()
        if fence is not None:
            if _closes(line, fence):
                fence = None
            out.append(line)
            after_blank = False
            continue
        opening = _FENCE.match(line)
        if opening is not None:
            fence = opening.group(1)
            out.append(line)
            after_blank = in_code = False
            continue
        if blank:
            in_table = False
        elif _is_table_delimiter(line):
            in_table = True
        in_code = not blank and _INDENTED_CODE.match(line) is not None and (after_blank
                                                                            or in_code)
        after_blank = blank
        if (index + 1 < len(lines) and not in_table and not in_code
                and not _keeps_its_end(line, following)):
            line += HARD_BREAK
        out.append(line)
    return "\n".join(out)
