"""What an uploaded file really is, from its bytes: the one gate every evidence file passes.

The extension the uploader chose says nothing; the bytes decide. :func:`sniff` reads a
seekable file (uploads are spooled to disk and scanned on the way, dispatch.web.uploads,
so nothing here holds a file in memory or reads a large one twice) and returns its format
among those the archive standard knows, or refuses it with a Chinese reason:

- images and PDFs by their signatures (``filetype``), checked for truncation;
- ZIP containers opened as ZIP: an OFD document (``OFD.xml`` at the root), an Office Open
  XML document or workbook (refused with macros), or a plain ZIP; every member's
  inflated size and ratio bounded first (zip bombs);
- a file that is two things at once (a PDF or an image with a ZIP appended: a polyglot),
  a PDF carrying JavaScript or launch actions, and anything else (executables, scripts,
  HTML, SVG) is refused;
- the extension must name the format found.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import zipfile
from typing import IO

import filetype

from dispatch.core import inputs
from dispatch.core.filescan import Scan

# format → (content type, extensions that name it)
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", ("pdf",)),
    "jpg": ("image/jpeg", ("jpg", "jpeg")),
    "png": ("image/png", ("png",)),
    "ofd": ("application/ofd", ("ofd",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    "zip": ("application/zip", ("zip",)),
}
LABELS = {
    "pdf": "PDF 文档",
    "jpg": "JPEG 图片",
    "png": "PNG 图片",
    "ofd": "OFD 版式文档",
    "docx": "Word 文档（docx）",
    "xlsx": "Excel 工作簿（xlsx）",
    "zip": "ZIP 压缩包",
}
NAME_MAX = 200
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_INFLATED = 2 * 1024 * 1024 * 1024
ZIP_MAX_RATIO = 200


class Refused(ValueError):
    """The file is not accepted; ``reason`` says why, in Chinese, without the file name."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Sniffed:
    format: str
    content_type: str

    @property
    def label(self) -> str:
        return LABELS[self.format]


def clean_name(raw: str | None) -> str:
    """The uploaded name as a plain file name: no path, no control or invisible characters."""
    name = (raw or "").strip()
    if not name:
        raise Refused("文件名为空")
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        raise Refused("文件名不能包含路径或以“.”开头")
    try:
        return inputs.clean_text(name, "文件名", max_length=NAME_MAX, identifier=True)
    except inputs.InputError as exc:
        raise Refused(exc.message) from exc


def extension(name: str) -> str:
    return posixpath.splitext(name)[1].lower().lstrip(".")


def size_of(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _zip_kind(stream: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_MEMBERS:
                raise Refused(f"压缩包内文件过多（超过 {ZIP_MAX_MEMBERS} 个）")
            total = 0
            for info in infos:
                total += info.file_size
                dense = info.file_size > 1024 * 1024 and info.file_size > ZIP_MAX_RATIO * max(
                    info.compress_size, 1
                )
                if dense or total > ZIP_MAX_INFLATED:
                    raise Refused("压缩内容解压后异常庞大（疑似压缩炸弹）")
            names = {info.filename for info in infos}
    except zipfile.BadZipFile as exc:
        raise Refused("压缩内容已损坏或不完整") from exc
    finally:
        stream.seek(0)
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" in names:
        lowered = {n.lower() for n in names}
        if any(n.endswith("vbaproject.bin") or "macro" in n for n in lowered):
            raise Refused("含宏的办公文件不被接受，请另存为不含宏的 docx / xlsx")
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise Refused("无法识别的 Office 文档")
    return "zip"


def _signature_kind(scan: Scan) -> str | None:
    if scan.is_pdf:
        if b"%%EOF" not in scan.tail:
            raise Refused("PDF 文件不完整（缺少文件结束标记）")
        if scan.pdf_active is not None:
            raise Refused("PDF 含有脚本、启动动作或嵌入文件，不被接受")
        return "pdf"
    if scan.head.startswith(b"PK\x03\x04"):
        return None  # a ZIP container: decided by opening it
    guess = filetype.guess(scan.head)
    if guess is None:
        return None
    if guess.mime == "image/jpeg":
        if b"\xff\xd9" not in scan.tail[-64:]:
            raise Refused("JPEG 图片不完整")
        return "jpg"
    if guess.mime == "image/png":
        if b"IEND" not in scan.tail[-32:]:
            raise Refused("PNG 图片不完整")
        return "png"
    raise Refused(f"文件内容为 {guess.mime}，不是建档规范接受的格式")


def sniff(stream: IO[bytes], name: str, accepted: tuple[str, ...]) -> Sniffed:
    """The file's format if it is one of ``accepted`` and its name says so; else Refused.

    ``stream`` is a seekable file; an upload carries the scan made while it was spooled,
    anything else is scanned here (:meth:`Scan.of`).
    """
    scan = Scan.of(stream)
    if scan.size == 0:
        raise Refused("文件为空")
    is_zip = zipfile.is_zipfile(stream)
    stream.seek(0)
    if is_zip and not scan.head.startswith(b"PK\x03\x04"):
        # A ZIP directory at the end of a file that starts as something else: a polyglot.
        raise Refused("文件内容同时呈现为两种格式（伪装文件），不被接受")
    kind = _signature_kind(scan)
    if kind is None:
        if not is_zip:
            raise Refused("无法识别的文件内容（不是 PDF、图片、OFD 或 Office 文档）")
        kind = _zip_kind(stream)
    if kind not in accepted:
        allowed = "、".join(a.upper() for a in accepted)
        raise Refused(f"该条目只接受 {allowed}，此文件是{LABELS[kind]}")
    ext = extension(name)
    if ext not in FORMATS[kind][1]:
        shown = f".{ext}" if ext else "（无扩展名）"
        raise Refused(f"扩展名为 {shown}，但文件内容是{LABELS[kind]}")
    return Sniffed(kind, FORMATS[kind][0])
