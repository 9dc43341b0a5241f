"""Hostile uploads, built small and on the fly: decompression bombs (PNG, XLSX, ZIP with a lying directory)
and PDFs with active content (script on opening, launch actions, embedded files, obfuscated names, compressed
object streams). What they cost when they are not refused is measured in bench/uploads.py, never in a test."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

# --- images ------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int, *, rgb: bool = False) -> bytes:
    """A valid black PNG of ``width`` × ``height``, 1-bit grey (or 8-bit RGB): a 9400 × 9400 one (88 megapixels,
    under Pillow's own bomb check) is about 11 KB (250 KB in RGB), and decoding it costs seconds and up to
    hundreds of MB."""
    row = b"\x00" + b"\x00" * (3 * width if rgb else (width + 7) // 8)  # filter byte, then the pixels
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8 if rgb else 1, 2 if rgb else 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


# --- ZIP and XLSX ----------------------------------------------------------------------------------


def with_big_cell(workbook: bytes, characters: int, *, cell: str = "A3") -> bytes:
    """``workbook`` (an XLSX whose first sheet is xl/worksheets/sheet1.xml) with ``cell`` replaced by an
    inline string of ``characters`` letters, streamed into the ZIP (a 200 MB cell packs to about 200 KB)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    start = sheet.index(f'<c r="{cell}"')
    end = sheet.index("</c>", start) + len("</c>")
    before, after = sheet[:start], sheet[end:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                package.writestr(member.filename, source.read(member.filename))
                continue
            with package.open(member.filename, "w", force_zip64=True) as stream:
                stream.write((before + f'<c r="{cell}" t="inlineStr"><is><t>').encode())
                piece = b"A" * (1024 * 1024)
                for _ in range(characters // len(piece)):
                    stream.write(piece)
                stream.write(b"A" * (characters % len(piece)))
                stream.write(("</t></is></c>" + after).encode())
    return out.getvalue()


def with_lying_directory(data: bytes, member: str, declared_size: int) -> bytes:
    """The ZIP ``data`` whose local header and central directory both claim that ``member`` unpacks to
    ``declared_size`` bytes (its real content is larger)."""
    package = zipfile.ZipFile(io.BytesIO(data))
    info = package.getinfo(member)
    patched = bytearray(data)
    size = struct.pack("<I", declared_size)
    patched[info.header_offset + 22:info.header_offset + 26] = size  # local file header: uncompressed size
    name = member.encode()
    central = next(i for i in range(len(patched)) if patched.startswith(b"PK\x01\x02", i)
                   and patched[i + 46:i + 46 + len(name)] == name)
    patched[central + 24:central + 28] = size  # central directory: uncompressed size
    return bytes(patched)


# --- PDF -------------------------------------------------------------------------------------------


def pdf_with(catalog: str = "", page: str = "", objects: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF written by hand (so that names can be spelt any way a file may spell them):
    ``catalog`` and ``page`` are added to those dictionaries; ``objects`` become objects 4, 5, …"""
    bodies = [f"<< /Type /Catalog /Pages 2 0 R {catalog} >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {page} >>", *objects]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pdf_with_compressed_action(action: str) -> bytes:
    """A one-page PDF whose catalog's /OpenAction is object 5, kept inside a compressed object stream
    (object 4) and so invisible to a search of the file's bytes; cross-references in a stream (object 6)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    plain = {1: "<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>", 2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
             3: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"}
    for number, body in plain.items():
        offsets[number] = len(out)
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    head = b"5 0 "
    packed = zlib.compress(head + action.encode("latin-1"))
    offsets[4] = len(out)
    out += (f"4 0 obj\n<< /Type /ObjStm /N 1 /First {len(head)} /Filter /FlateDecode /Length {len(packed)} >>\n"
            "stream\n").encode() + packed + b"\nendstream\nendobj\n"
    offsets[6] = len(out)
    rows = b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")
    for number in range(1, 7):
        if number == 5:
            rows += b"\x02" + (4).to_bytes(4, "big") + (0).to_bytes(2, "big")
        else:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big")
    out += (f"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length {len(rows)} >>\nstream\n").encode()
    out += rows + b"\nendstream\nendobj\n" + f"startxref\n{offsets[6]}\n%%EOF\n".encode()
    return bytes(out)
