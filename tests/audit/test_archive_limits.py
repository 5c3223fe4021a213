"""An audit archive file is the operator's to name, maybe the wrong one: its lines are
read with a bound, never a whole huge line into memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.parametrize("line", [1, 2])
def test_an_overlong_line_is_refused_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: int
) -> None:
    from dispatch.auditlog import archive, archive_check

    monkeypatch.setattr(archive_check, "LINE_MAX_BYTES", 400)
    fields = dict.fromkeys(archive.HEADER_FIELDS, "")
    fields.update(format=archive.FORMAT, version=archive.VERSION)
    header = json.dumps(fields) + "\n" if line == 2 else ""
    path = tmp_path / "huge.jsonl"
    path.write_text(header + "{" + "a" * 1000 + "\n", encoding="utf-8")
    found = archive_check.read_archive(path)
    assert found.problem.startswith(f"第 {line} 行"), found.problem
    assert "过长" in found.problem or "超过" in found.problem
