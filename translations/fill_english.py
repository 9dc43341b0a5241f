"""English is the language the messages are written in: its catalog repeats each message.

Run by `make translations` after `pybabel update`, so `en` is always complete.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "messages.po"


def main() -> None:
    with PATH.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with PATH.open("wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True, width=100)


if __name__ == "__main__":
    main()
