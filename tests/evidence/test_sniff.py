"""The sniffer decides from bytes: every good sample passes as what it is, every file of the
hostile corpus is refused with its reason."""

from __future__ import annotations

import contextlib
import io

import pytest

from dispatch.core import filescan
from dispatch.evidence import sniff
from dispatch.web.uploads import ScannedSpool
from tests.evidence.corpus import GOOD, HOSTILE

DEFAULT = ("pdf", "jpg", "png", "xlsx", "docx", "ofd")


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_files_pass_as_what_they_are(name: str) -> None:
    found = sniff.sniff(io.BytesIO(GOOD[name]), sniff.clean_name(name), DEFAULT)
    assert sniff.extension(name) in sniff.FORMATS[found.format][1]


def test_zip_is_accepted_only_where_the_item_says_so() -> None:
    from tests.evidence.corpus import _zip

    data = _zip({"a.pdf": GOOD["实施方案.pdf"]})
    assert sniff.sniff(io.BytesIO(data), "资料.zip", (*DEFAULT, "zip")).format == "zip"
    with pytest.raises(sniff.Refused, match="只接受"):
        sniff.sniff(io.BytesIO(data), "资料.zip", DEFAULT)


def test_the_corpus_is_at_least_twenty_files() -> None:
    assert len(HOSTILE) >= 20


@pytest.mark.parametrize(
    ("name", "data", "reason"), HOSTILE, ids=[f"{i}" for i in range(len(HOSTILE))]
)
def test_hostile_files_are_refused_with_the_reason(name: str, data: bytes, reason: str) -> None:
    accepted = (*DEFAULT, "zip") if name.endswith(".zip") and "炸弹" in reason else DEFAULT
    with pytest.raises(sniff.Refused) as refused:
        sniff.sniff(io.BytesIO(data), sniff.clean_name(name), accepted)
    assert reason in refused.value.reason


def _with_needle(at: int) -> bytes:
    """The sample PDF with an escaped /EmbeddedFile starting ``at`` bytes before offset 64."""
    padding = b"%" + b"p" * (64 - at - 2) + b"\n"
    return GOOD["实施方案.pdf"].replace(
        b"%PDF-1.4\n", b"%PDF-1.4\n" + padding + b"/#45mbeddedFile\n", 1
    )


@pytest.mark.parametrize("at", [0, 1, 5, 17, 36, 37])
def test_active_content_is_found_across_a_chunk_boundary(at: int, monkeypatch) -> None:
    monkeypatch.setattr(filescan, "CHUNK", 64)
    with pytest.raises(sniff.Refused, match="脚本"):
        sniff.sniff(io.BytesIO(_with_needle(at)), "a.pdf", DEFAULT)


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 7, 64, 4096])
def test_an_upload_scanned_as_it_arrives_is_judged_alike(piece: int) -> None:
    """Fed in pieces of any size (as Werkzeug writes a spooled upload), the scan finds what
    reading the file whole finds, and the sniffer trusts it without reading again."""
    for at in (0, 1, 17, 37):
        data = _with_needle(at)
        with contextlib.closing(_spooled(data, piece)) as spool:
            assert spool.scan.size == len(data) and spool.scan.pdf_active is not None
            assert spool.scan.head == data[: filescan.HEAD]
            assert spool.scan.tail == data[-filescan.TAIL :]
            with pytest.raises(sniff.Refused, match="脚本"):
                sniff.sniff(spool, "a.pdf", DEFAULT)  # type: ignore[arg-type]
    with contextlib.closing(_spooled(GOOD["实施方案.pdf"], piece)) as spool:
        assert sniff.sniff(spool, "a.pdf", DEFAULT).format == "pdf"  # type: ignore[arg-type]


def _spooled(data: bytes, piece: int) -> ScannedSpool:
    spool = ScannedSpool("a.pdf", None)
    for start in range(0, len(data), piece):
        spool.write(data[start : start + piece])
    return spool


def test_a_longer_name_is_not_mistaken_for_js() -> None:
    data = GOOD["实施方案.pdf"].replace(b"/Type /Catalog", b"/Type /Catalog /JSX 1")
    assert sniff.sniff(io.BytesIO(data), "a.pdf", DEFAULT).format == "pdf"
