"""Fail when a user-facing message has no Korean or English translation, or when a compiled
catalog (.mo) is older than its source (.po). Run by `make test` (check-messages)."""

import ast
import gettext
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def parse_po(path):
    """{msgid: (msgstr, fuzzy)} for singular entries; plural entries keyed by msgid with msgstr[0]."""
    entries = {}
    msgid = msgstr = None
    fuzzy = False
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, current = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgid_plural "):
            current = "plural"
        elif line.startswith("msgstr ") or line.startswith("msgstr[0] "):
            msgstr, current = ast.literal_eval(line.split(" ", 1)[1]), "str"
        elif line.startswith("msgstr["):
            current = "other"
        elif line.startswith('"') and current == "id":
            msgid += ast.literal_eval(line)
        elif line.startswith('"') and current == "str":
            msgstr += ast.literal_eval(line)
        elif not line:
            if msgid:
                entries[msgid] = (msgstr or "", fuzzy)
            msgid = msgstr = None
            fuzzy = False
            current = None
    return entries


def main():
    problems = []
    for language in ("ko", "en"):
        po = LOCALE / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not po.exists() or not mo.exists():
            problems.append(f"{language}: {po.name} or {mo.name} is missing")
            continue
        entries = parse_po(po)
        catalog = gettext.GNUTranslations(mo.open("rb"))
        for msgid, (msgstr, fuzzy) in entries.items():
            if fuzzy:
                problems.append(f"{language}: fuzzy: {msgid[:70]!r}")
            elif language == "ko" and not msgstr:
                problems.append(f"{language}: untranslated: {msgid[:70]!r}")
            elif msgstr and catalog.gettext(msgid) != msgstr and "\x00" not in msgid:
                problems.append(f"{language}: .mo is stale for {msgid[:70]!r}; run make messages")
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} translation problem(s)")
        return 1
    print("translations complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
