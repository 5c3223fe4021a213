"""``dispatch user``: accounts created from the command line.

The command applies the admin form's input rules (``dispatch.core.inputs``: a user name
of lower-case ASCII letters, digits and ``. _ -``, NFC text without control, direction or
invisible characters), so no account can be made here that the form would refuse, such
as a look-alike ``admin`` + U+200B.
"""

from __future__ import annotations

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


@user.command("create", help="创建用户（组织按行政区划代码或统一社会信用代码指定）")
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
    from dispatch.orgs import services as orgs
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
            created = orgs.create_user(
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
