"""``dispatch backup verify``: every file re-hashed against the manifest, and the manifest
checked complete; any difference is a non-zero exit naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dispatch.backup import verify_backup
from dispatch.cli import main
from tests.backup.seed import FILES, Source


def verify(folder: Path) -> Result:
    return CliRunner().invoke(main, ["backup", "verify", str(folder)])


def manifest_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def rewrite(folder: Path, data: dict[str, Any]) -> None:
    (folder / "manifest.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def an_object(folder: Path) -> str:
    return next(f["path"] for f in manifest_of(folder)["files"] if "key" in f)


def test_an_intact_backup_verifies(small: Source) -> None:
    result = verify(small.folder)
    assert result.exit_code == 0, result.output
    assert f"已校验 {len(FILES) + 1} 个文件" in result.stdout
    assert "备份校验通过" in result.stdout
    report = verify_backup(small.folder)
    assert report.ok and report.manifest is not None
    assert {e.key for e in report.manifest.objects} == set(small.uploaded)


def test_a_changed_object_is_named(backup_copy: Path) -> None:
    path = an_object(backup_copy)
    target = backup_copy / path
    body = bytearray(target.read_bytes())
    body[len(body) // 2] ^= 0x01  # one bit, same size
    target.write_bytes(bytes(body))
    result = verify(backup_copy)
    assert result.exit_code == 1
    assert "内容与清单不符（1）" in result.stderr and path in result.stderr
    assert verify_backup(backup_copy).changed == [path]


def test_a_changed_database_file_is_named(backup_copy: Path) -> None:
    name = manifest_of(backup_copy)["database"]["file"]
    with (backup_copy / name).open("ab") as out:
        out.write(b"\0")
    result = verify(backup_copy)
    assert result.exit_code == 1 and name in result.stderr
    assert verify_backup(backup_copy).changed == [name]


def test_a_missing_object_is_named(backup_copy: Path) -> None:
    path = an_object(backup_copy)
    (backup_copy / path).unlink()
    result = verify(backup_copy)
    assert result.exit_code == 1
    assert "缺失（1）" in result.stderr and path in result.stderr
    assert verify_backup(backup_copy).missing == [path]


def test_a_file_the_manifest_does_not_list_is_named(backup_copy: Path) -> None:
    (backup_copy / "objects" / "stray.bin").write_bytes(b"not from the backup")
    result = verify(backup_copy)
    assert result.exit_code == 1
    assert "未在清单中登记" in result.stderr and "objects/stray.bin" in result.stderr


def test_a_backup_without_its_manifest_is_incomplete(backup_copy: Path) -> None:
    (backup_copy / "manifest.json").unlink()
    result = verify(backup_copy)
    assert result.exit_code == 1 and "缺少 manifest.json" in result.stderr


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    result = verify(tmp_path / "nowhere")
    assert result.exit_code == 1 and "备份目录不存在" in result.stderr


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        # An object dropped from the list (its file then unlisted, the count wrong).
        (lambda m: m["files"].pop(), "清单不完整：记载 3 个对象，实际列出 2 个"),
        (lambda m: m["storage"].update(bytes=1), "对象总字节数与所列文件不符"),
        (lambda m: m["files"].pop(0), "应恰好列出一个数据库文件"),
        (lambda m: m["database"].pop("alembic_revision"), "缺少字段 alembic_revision"),
        (lambda m: m["database"].update(dialect="oracle"), "数据库类型 'oracle' 无法识别"),
        (lambda m: m["files"][1].update(path="../../etc/passwd"), "文件路径不安全"),
        (lambda m: m["files"][1].update(key="../x", path="objects/../x"), "文件路径不安全"),
        (lambda m: m["files"][1].update(sha256="0" * 63), "不是 SHA-256"),
        (lambda m: m["files"][1].update(size=-1), "不能为负数"),
        (lambda m: m.update(format="other/1"), "清单格式不是 dispatch-backup/1"),
    ],
)
def test_an_incomplete_or_unsafe_manifest_is_refused(
    backup_copy: Path, damage: Any, message: str
) -> None:
    data = manifest_of(backup_copy)
    damage(data)
    rewrite(backup_copy, data)
    result = verify(backup_copy)
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr


def test_a_truncated_manifest_is_refused(backup_copy: Path) -> None:
    path = backup_copy / "manifest.json"
    path.write_bytes(path.read_bytes()[:200])
    result = verify(backup_copy)
    assert result.exit_code == 1 and "清单不是有效的 JSON" in result.stderr


def test_an_oversized_manifest_is_refused_unread(
    backup_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dispatch.backup import manifest

    size = (backup_copy / "manifest.json").stat().st_size
    monkeypatch.setattr(manifest, "MANIFEST_MAX_BYTES", size - 1)
    result = verify(backup_copy)
    assert result.exit_code == 1 and "不是本系统生成的清单" in result.stderr
