"""What an upload may make us decode, measured before it is decoded (issue 9, defects 5 and 7).

A file of a few hundred KB can unpack to gigabytes: a ZIP (every XLSX is one) whose parts inflate a
thousandfold, a sheet with one 200 MB cell, a PDF whose actions run script in the reader of whoever opens
it. The limits themselves are settings (``config.py``: UPLOAD_MAX_UNPACKED_MB, IMPORT_MAX_ROWS,
IMPORT_MAX_CELL_CHARS); this module only applies the numbers it is given. Messages are Chinese, like the
other messages of the sheet readers.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

#: members are read in pieces of this size when their real unpacked size is measured
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class SheetLimits:
    """The caps of one spreadsheet import."""

    #: bytes the whole workbook may unpack to (every part together)
    max_unpacked_bytes: int
    #: rows of data (blank rows not counted)
    max_rows: int
    #: characters in one cell
    max_cell_chars: int

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SheetLimits:
        """The caps the installation configured (``config.py``; a Flask app's ``config`` will do)."""
        return cls(max_unpacked_bytes=int(settings["UPLOAD_MAX_UNPACKED_MB"]) * 1024 * 1024,
                   max_rows=int(settings["IMPORT_MAX_ROWS"]),
                   max_cell_chars=int(settings["IMPORT_MAX_CELL_CHARS"]))


class TooLarge(Exception):
    """The upload would unpack beyond a limit; ``str()`` is the message for the user."""


def unpacked_size_message(max_bytes: int) -> str:
    return f"文件解压后超过{max_bytes // (1024 * 1024)}MB的上限，已拒绝导入；请删去多余内容或拆分为多个文件"


def check_unpacked_size(data: bytes, max_bytes: int) -> None:
    """Refuses (``TooLarge``) a ZIP that would unpack to more than ``max_bytes``: first by the sizes its
    directory declares, then by reading every member with the same byte cap, so that a directory that lies
    is caught too. A damaged ZIP raises ``zipfile.BadZipFile`` (the caller says "not readable"); data that is
    no ZIP at all passes (the caller's reader refuses it)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        members = package.infolist()
        if sum(member.file_size for member in members) > max_bytes:
            raise TooLarge(unpacked_size_message(max_bytes))
        total = 0
        for member in members:
            with package.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)
                    if total > max_bytes:
                        raise TooLarge(unpacked_size_message(max_bytes))


def cell_too_long_message(where: str, max_chars: int) -> str:
    return f"{where}：单元格内容超过{max_chars}个字符的上限，已拒绝导入"


def longest_cell(cells: tuple[Any, ...]) -> int:
    """The length of the longest text cell of a row (0 without text)."""
    return max((len(value) for value in cells if isinstance(value, str)), default=0)


# --- active content in PDF files ---------------------------------------------------------------------

#: names that make a PDF do something when it is opened or clicked: script, launching programs, files
#: carried inside, forms sent elsewhere, embedded media. pypdf decodes #xx escapes in names, so /J#61vaScript
#: arrives here as /JavaScript; objects inside compressed object streams are read like any other.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles",
                         "/RichMedia", "/XFA", "/SubmitForm", "/ImportData", "/GoToE"})
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute",
                            "/Rendition", "/Sound", "/Movie"})
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/Filespec", "/RichMedia"})


def active_pdf_content(reader: PdfReader) -> set[str]:
    """The names of the active content found in any object of the PDF (empty for a plain document)."""
    found: set[str] = set()
    for value in _every_object(reader):
        if not isinstance(value, DictionaryObject):
            continue
        found.update(key for key in value if key in ACTIVE_KEYS)
        if value.get("/S") in ACTIVE_ACTIONS:
            found.add(str(value.get("/S")))
        if value.get("/Type") in ACTIVE_TYPES:
            found.add(str(value.get("/Type")))
    return found


def _every_object(reader: PdfReader) -> Iterator[Any]:
    """Every object the file's cross-reference names (plain and in object streams) and the trailer, with the
    dictionaries and arrays nested inside them (not following references: each is visited by its number)."""
    numbers = {number for table in reader.xref.values() for number in table}
    numbers.update(reader.xref_objStm)
    pending: list[Any] = [reader.trailer]
    for number in sorted(numbers):
        generation = next((g for g, table in reader.xref.items() if number in table), 0)
        pending.append(reader.get_object(IndirectObject(number, generation, reader)))
    while pending:
        value = pending.pop()
        if isinstance(value, IndirectObject):
            continue
        yield value
        if isinstance(value, DictionaryObject):
            pending.extend(dict.values(value))  # raw: a reference stays a reference
        elif isinstance(value, ArrayObject):
            pending.extend(list.__iter__(value))
