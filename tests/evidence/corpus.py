"""Files for upload tests: good ones of every accepted kind, and a hostile corpus that must
be refused with nothing stored (each with the reason the message must give)."""

from __future__ import annotations

import io
import zipfile

from dispatch.evidence import samples

GOOD: dict[str, bytes] = {
    "实施方案.pdf": samples.pdf(["Implementation plan"]),
    "现场照片.jpg": samples.jpeg(64, 48),
    "现场照片.jpeg": samples.jpeg(16, 16, shade=200),
    "竣工图.png": samples.png(40, 30),
    "验收意见.docx": samples.docx(["验收意见", "同意通过验收"]),
    "电子发票.ofd": samples.ofd("invoice"),
}


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def _xlsx_with_macros() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b'<Types><Override PartName="/xl/workbook.xml" '
            b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
            "xl/workbook.xml": b"<workbook/>",
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512,
        }
    )


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("bomb.txt", "w", force_zip64=True) as member,
    ):
        block = b"\x00" * (1024 * 1024)
        for _ in range(300):  # 300 MB of zeros, a few hundred KB compressed
            member.write(block)
    return out.getvalue()


PDF = samples.pdf(["x"])
PNG = samples.png(8, 8)
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF_JS = PDF.replace(
    b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
)
PDF_JS_ESCAPED = PDF.replace(
    b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /#4A#53\n(app.alert(1)) >>"
)
NOT_ACCEPTED = "不是建档规范接受的格式"
UNKNOWN = "无法识别的文件内容"

# (uploaded name, bytes, what the refusal must say)
HOSTILE: list[tuple[str, bytes, str]] = [
    ("报告.pdf", EXE, NOT_ACCEPTED),
    ("照片.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, NOT_ACCEPTED),
    ("方案.pdf", b"#!/bin/sh\nrm -rf /\n", UNKNOWN),
    ("方案.pdf", b"<html><script>alert(1)</script></html>", UNKNOWN),
    ("图.png", SVG, UNKNOWN),
    ("方案.pdf", b"@echo off\r\nformat c:\r\n", UNKNOWN),
    ("方案.pdf", PDF + _zip({"a.txt": b"x"}), "伪装文件"),
    ("图.png", PNG + _zip({"evil.js": b"alert(1)"}), "伪装文件"),
    ("台账.xlsx", _xlsx_with_macros(), "含宏"),
    ("资料.zip", _zip_bomb(), "压缩炸弹"),
    ("空白.pdf", b"", "文件为空"),
    ("截断.pdf", PDF[: len(PDF) // 2], "不完整"),
    ("截断.png", PNG[:-20], "不完整"),
    ("截断.jpg", samples.jpeg(16, 16)[:-10], "不完整"),
    ("../../etc/passwd.pdf", PDF, "路径"),
    ("..\\..\\boot.ini.pdf", PDF, "路径"),
    (".hidden.pdf", PDF, "路径"),
    ("报告\x07.pdf", PDF, "控制字符"),
    ("报告\u202efdp.exe", PDF, "文字方向"),
    ("报告\u200b.pdf", PDF, "不可见字符"),
    ("照片.pdf", PNG, "扩展名为 .pdf，但文件内容是PNG 图片"),
    ("方案", PDF, "无扩展名"),
    ("带脚本.pdf", PDF_JS, "脚本"),
    ("转义脚本.pdf", PDF_JS_ESCAPED, "脚本"),
    ("普通.zip", _zip({"a.pdf": PDF}), "只接受"),
    ("截断.docx", samples.docx(["x"])[:-30], UNKNOWN),
]  # fmt: skip
