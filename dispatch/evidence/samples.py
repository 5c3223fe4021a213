"""Small real documents the system makes itself: PDFs, PNG and JPEG images, OOXML and OFD
containers. The demo attaches them as evidence and the tests upload them; each is a valid
file of its kind (a viewer opens it), generated from the standard library alone.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence


def pdf(lines: Sequence[str], *, title: str = "Evidence", padding: int = 0) -> bytes:
    """A one-page PDF 1.4 showing ``lines`` (ASCII) in Helvetica, with a correct xref;
    ``padding`` bytes of comment lines after the header make it larger."""
    text = ["BT /F1 12 Tf 72 760 Td 16 TL"]
    for line in lines:
        safe = line.encode("ascii", "replace").decode().replace("\\", "\\\\")
        safe = safe.replace("(", "\\(").replace(")", "\\)")
        text.append(f"({safe}) Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title (" + title.encode("ascii", "replace") + b") >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    line = b"%" + b"-" * 1022 + b"\n"
    out.write(line * (padding // len(line)))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, len(objects), xref)
    )
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(width: int, height: int, rgb: tuple[int, int, int] = (46, 125, 50)) -> bytes:
    """A ``width`` × ``height`` PNG: a colour band with a lighter diagonal stripe."""
    rows = []
    light = tuple(min(255, c + 90) for c in rgb)
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            row.extend(light if abs(x - y) < max(2, width // 20) else rgb)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _png_chunk(b"IEND", b"")
    )


# Baseline JPEG, one grey component, every 8×8 block a flat shade: only DC coefficients,
# coded with the standard luminance DC table (ITU T.81 K.3) and a one-symbol AC table
# holding end-of-block.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_CODES = {
    0: "00", 1: "010", 2: "011", 3: "100", 4: "101", 5: "110", 6: "1110", 7: "11110",
    8: "111110", 9: "1111110", 10: "11111110", 11: "111111110",
}  # fmt: skip
_EOB = "0"


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg(width: int, height: int, shade: int = 96) -> bytes:
    """A grey ``width`` × ``height`` JPEG (multiples of 8) shaded left to right."""
    blocks_x, blocks_y = width // 8, height // 8
    bits: list[str] = []
    previous = 0
    for _ in range(blocks_y):
        for bx in range(blocks_x):
            level = min(255, shade + (bx * 120) // max(1, blocks_x))
            dc = 8 * (level - 128)  # flat block: F(0,0) = 8 × (level − 128), quantiser 1
            diff, previous = dc - previous, dc
            size = abs(diff).bit_length()
            bits.append(_DC_CODES[size])
            if size:
                value = diff if diff > 0 else diff + (1 << size) - 1
                bits.append(format(value, f"0{size}b"))
            bits.append(_EOB)
    stream = "".join(bits)
    stream += "1" * (-len(stream) % 8)
    data = bytearray()
    for i in range(0, len(stream), 8):
        byte = int(stream[i : i + 8], 2)
        data.append(byte)
        if byte == 0xFF:
            data.append(0)  # byte stuffing
    dht_dc = bytes([0x00, *_DC_BITS, *range(12)])
    dht_ac = bytes([0x10, 1, *([0] * 15), 0x00])
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xDB, bytes([0]) + bytes([1] * 64)),
            _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0])),
            _segment(0xC4, dht_dc),
            _segment(0xC4, dht_ac),
            _segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0])),
            bytes(data),
            b"\xff\xd9",
        ]
    )


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


_CT = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def docx(paragraphs: Sequence[str]) -> bytes:
    """A minimal Word document (WordprocessingML) with one paragraph per line."""
    body = "".join(
        f"<w:p><w:r><w:t>{p.replace('&', '&amp;').replace('<', '&lt;')}</w:t></w:r></w:p>"
        for p in paragraphs
    )
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _zip(
        {
            "[Content_Types].xml": (
                _CT + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
            ).encode(),
            "_rels/.rels": (
                _CT + f'<Relationships xmlns="{_RELS_NS}">'
                f'<Relationship Id="rId1" Type="{_DOC_REL}" Target="word/document.xml"/>'
                "</Relationships>"
            ).encode(),
            "word/document.xml": (
                _CT + '<w:document xmlns:w="http://schemas.openxmlformats.org/'
                f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
            ).encode(),
        }
    )


def ofd(title: str = "Evidence") -> bytes:
    """A minimal OFD container (GB/T 33190): ``OFD.xml`` at the root naming one document."""
    return _zip(
        {
            "OFD.xml": (
                _CT + '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" '
                'DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
                f"<ofd:Title>{title}</ofd:Title></ofd:DocInfo>"
                "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
            ).encode(),
            "Doc_0/Document.xml": (
                _CT + '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016">'
                "<ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
                "</ofd:PageArea></ofd:CommonData><ofd:Pages/></ofd:Document>"
            ).encode(),
        }
    )
