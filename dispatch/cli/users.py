"""``dispatch user``: accounts created and kept from the command line.

The command applies the admin form's input rules (``dispatch.core.inputs``: a user name
of lower-case ASCII letters, digits and ``. _ -``, NFC text without control, direction or
invisible characters), so no account can be made here that the form would refuse, such
as a look-alike ``admin`` + U+200B.

It is also the only way to make the accounts of the three officers (三员: ``admin``,
``security``, ``auditor``): the web pages give accounts business roles only, so no
officer can make itself, or anyone, another officer (``dispatch.access.accounts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from sqlalchemy import select

from dispatch.access import ROLE_PERMISSIONS
from dispatch.cli.common import app_session
from dispatch.core import inputs
from dispatch.errors import DomainError

# The admin form's limit for 姓名 (forms.admin), the users.display_name column.
DISPLAY_NAME_MAX = 64


@click.group(name="user", help="用户账户")
def user() -> None:
    pass


@user.command(
    "create",
    help="创建用户（组织按行政区划代码或统一社会信用代码指定）；"
    "系统管理员、安全管理员、审计管理员账户只能用本命令创建",
)
@click.option("--username", required=True)
@click.option("--display-name", default="")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in ROLE_PERMISSIONS]),
)
@click.option("--org", required=True, help="行政区划代码（6 位）或企业统一社会信用代码（18 位）")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--must-change/--no-must-change", default=True, show_default=True)
def user_create(
    username: str, display_name: str, role: str, org: str, password: str, must_change: bool
) -> None:
    from dispatch.audit import Acting
    from dispatch.clock import now
    from dispatch.orgs import accounts
    from models import Enterprise, Region, Role

    try:
        username = inputs.check_username(username)
        display_name = inputs.clean_text(
            display_name, "姓名", max_length=DISPLAY_NAME_MAX, identifier=True
        )
    except inputs.InputError as exc:
        raise click.ClickException(exc.message) from exc
    with app_session() as (_app, session):
        region = session.scalar(select(Region).where(Region.division_code == org))
        enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == org.upper()))
        try:
            created = accounts.create_user(
                session,
                # The command line acts as the system, from no network address.
                Acting(user=None, at=now(), remote_addr=""),
                username=username,
                display_name=display_name,
                role=Role(role),
                password=password,
                region=region,
                enterprise=enterprise,
                must_change_password=must_change,
            )
        except DomainError as exc:
            session.rollback()
            raise click.ClickException(exc.message) from exc
        session.commit()
        click.echo(f"已创建用户 {created.username}（{created.role.label}，{created.org_name}）")


def _change_account(username: str, change: Callable[..., None], done: str) -> None:
    """Apply ``change(session, acting, user)`` to the account named, as the system."""
    from dispatch.audit import Acting
    from dispatch.clock import now
    from models import User

    with app_session() as (_app, session):
        found = session.scalar(select(User).where(User.username == username))
        if found is None:
            raise click.ClickException(f"用户 {username} 不存在")
        try:
            change(session, Acting(user=None, at=now(), remote_addr=""), found)
        except DomainError as exc:
            session.rollback()
            raise click.ClickException(exc.message) from exc
        session.commit()
        click.echo(done.format(username=found.username, role=found.role.label))


# Keeping accounts on the server: the only way for the officers' own (三员) accounts, which
# the web pages show but do not change; it works for every account.


@user.command("disable", help="停用账户并结束其全部登录（三员账户只能用命令停用）")
@click.argument("username")
def user_disable(username: str) -> None:
    from dispatch.orgs import accounts

    done = "已停用用户 {username}（{role}），其所有登录已失效"
    _change_account(username, accounts.disable_user, done)


@user.command("enable", help="启用已停用的账户（登录锁定不在此解除）")
@click.argument("username")
def user_enable(username: str) -> None:
    from dispatch.orgs import accounts

    _change_account(username, accounts.enable_user, "已启用用户 {username}（{role}）")


@user.command("reset-password", help="重置账户密码；该用户下次登录时须修改密码")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_reset_password(username: str, password: str) -> None:
    from dispatch.orgs import accounts

    def reset(session: Any, acting: Any, found: Any) -> None:
        accounts.reset_password(session, acting, found, password)

    _change_account(username, reset, "已重置用户 {username}（{role}）的密码，下次登录时须修改")
