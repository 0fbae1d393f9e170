"""Regenerate resources/translations/mentordesk_en.ts and its .qm from the sources.

English needs its own translation file for Qt's plural forms: without it "%n goal(s)" shows
as "1 goal(s)". This runs ``pyside6-lupdate -pluralonly`` over mentordesk/ui, fills each
English form from the source text's "(s)" markers ("%n goal(s)" → "%n goal" / "%n goals";
"(es)", "(ies)" likewise), keeps forms written by hand, and compiles the .qm with
``pyside6-lrelease``. Run it after adding or changing a counted UI text; the test
tests/ui/test_i18n.py fails while a counted text is missing from the file.

    python scripts/update_translations.py [--check]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "translations" / "mentordesk_en.ts"
QM = TS.with_suffix(".qm")
MARKER = re.compile(r"\((s|es|ies)\)")


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 in this environment")
    return found


def english_forms(source: str) -> tuple[str, str]:
    """("%n goal", "%n goals") for "%n goal(s)"; "(ies)" after a stem ending in y."""
    def singular(match: re.Match[str]) -> str:
        return "y" if match.group(1) == "ies" else ""

    def plural(match: re.Match[str]) -> str:
        return match.group(1)

    return MARKER.sub(singular, source), MARKER.sub(plural, source)


def extracted() -> set[str]:
    """Every counted text in mentordesk/ui, as pyside6-lupdate sees it."""
    sources = sorted(str(p) for p in (ROOT / "mentordesk" / "ui").rglob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        ts = Path(tmp, "x.ts")
        subprocess.run([tool("pyside6-lupdate"), "-pluralonly", "-no-obsolete",
                        "-locations", "none", "-target-language", "en", *sources,
                        "-ts", str(ts)], check=True, capture_output=True)
        tree = ET.parse(ts)
    return {m.findtext("source") or "" for m in tree.iter("message")}


def render(messages: dict[str, tuple[str, str]]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             '<TS version="2.1" language="en">', "<context>", "    <name></name>"]
    for source in sorted(messages):
        one, many = messages[source]
        lines += ['    <message numerus="yes">',
                  f"        <source>{escape(source)}</source>",
                  "        <translation>",
                  f"            <numerusform>{escape(one)}</numerusform>",
                  f"            <numerusform>{escape(many)}</numerusform>",
                  "        </translation>",
                  "    </message>"]
    lines += ["</context>", "</TS>", ""]
    return "\n".join(lines)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def current() -> dict[str, tuple[str, str]]:
    if not TS.exists():
        return {}
    found: dict[str, tuple[str, str]] = {}
    for message in ET.parse(TS).iter("message"):
        forms = [f.text or "" for f in message.iter("numerusform")]
        if len(forms) == 2 and all(forms):
            found[message.findtext("source") or ""] = (forms[0], forms[1])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the file is out of date instead of writing it")
    args = parser.parse_args()
    known = current()
    wanted = {source: known.get(source) or english_forms(source) for source in extracted()}
    text = render(wanted)
    if args.check:
        stale = not TS.exists() or TS.read_text(encoding="utf-8") != text or not QM.exists()
        if stale:
            print("resources/translations is out of date: run scripts/update_translations.py")
        return 1 if stale else 0
    TS.parent.mkdir(parents=True, exist_ok=True)
    TS.write_text(text, encoding="utf-8")
    subprocess.run([tool("pyside6-lrelease"), str(TS), "-qm", str(QM)], check=True,
                   capture_output=True)
    print(f"{len(wanted)} counted texts → {TS.relative_to(ROOT)}, {QM.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
