"""Fill zh_CN translations from a JSON file of {English msgid: Chinese}: for developers.

    make extract-messages
    .venv/bin/python tools/fill_translations.py new-strings.json
    .venv/bin/python tools/fill_translations.py --missing     # list msgids still without Chinese
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def main(argv: list[str]) -> int:
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh_Hans_CN")
    if argv and argv[0] == "--missing":
        missing = [m.id for m in catalog if m.id and not m.string]
        for msgid in missing:
            print(json.dumps(msgid, ensure_ascii=False))
        return 1 if missing else 0
    mapping = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    unknown = []
    for msgid, text in mapping.items():
        message = catalog.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        message.string = text
        message.flags.discard("fuzzy")
    with PO.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False)
    for msgid in unknown:
        print("not in the catalog (run make extract-messages first):", msgid, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
