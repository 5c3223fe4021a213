"""The officers' accounts (三员) are made and kept on the server: ``dispatch user create``
with an officer's role, ``disable``, ``enable`` and ``reset-password``, run for real."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent, Role, User
from tests.cli.test_cli_commands import cli_db  # noqa: F401 (the module's fixture, reused)


def _account(db, username: str):  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        return conn.execute(
            select(User.role, User.is_active, User.must_change_password).where(
                User.username == username
            )
        ).one()


def test_officer_accounts_are_created_and_kept_from_the_command_line(cli_db) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    db, *_ = cli_db
    created = db.run(
        "user", "create", "--username", "sec_two", "--display-name", "第二安全员",
        "--role", "security", "--org", "370100", "--password", "Second#Officer25",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "已创建用户 sec_two（安全管理员，济南市）" in created.stdout
    assert _account(db, "sec_two") == (Role.SECURITY, True, True)

    disabled = db.run("user", "disable", "auditor")
    assert disabled.returncode == 0, disabled.stderr
    assert "已停用用户 auditor（审计管理员）" in disabled.stdout
    assert _account(db, "auditor").is_active is False
    enabled = db.run("user", "enable", "auditor")
    assert enabled.returncode == 0, enabled.stderr
    assert _account(db, "auditor").is_active is True

    reset = db.run("user", "reset-password", "security", "--password", "Renewed#Officer25")
    assert reset.returncode == 0, reset.stderr
    assert _account(db, "security").must_change_password is True
    with db.engine.connect() as conn:
        actions = conn.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id.is_(None)).order_by(AuditEvent.id)
        ).all()
    assert actions[-4:] == [
        "admin.user.create", "admin.user.disable", "admin.user.enable",
        "admin.user.reset_password",
    ]  # fmt: skip


def test_keeping_commands_refuse_with_a_chinese_message(cli_db) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    db, *_ = cli_db
    missing = db.run("user", "disable", "nobody_here")
    assert missing.returncode != 0
    assert "用户 nobody_here 不存在" in missing.stderr
    weak = db.run("user", "reset-password", "auditor", "--password", "Password1")
    assert weak.returncode != 0
    assert "密码长度不能少于 10 个字符" in weak.stderr
    assert "Traceback" not in weak.stderr + missing.stderr
