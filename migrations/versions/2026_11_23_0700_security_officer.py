"""三员分立: the security officer role (安全管理员), ``users.role = 'security'``.

Roles are stored as text under two CHECK constraints of ``users``: ``ck_users_role`` (the
values of the Role enum) and ``ck_users_role_matches_org`` (which organisation node each
role belongs to; the officers sit on a region node without business scope). Both get
``'security'`` added.

PostgreSQL drops and re-creates the two constraints. SQLite cannot alter a constraint,
and the usual table rebuild (``batch_alter_table``) cannot be used on ``users``: with
foreign keys enforced, dropping the old table runs an implicit ``DELETE`` that the
``audit_events`` foreign key (RESTRICT) refuses and the ``user_sessions`` one (CASCADE)
would obey, and the pragma that turns enforcement off has no effect inside the
migration's transaction. So on SQLite the stored ``CREATE TABLE`` text is edited in place,
the procedure SQLite documents for changing CHECK constraints ("Making Other Kinds Of
Table Schema Changes", https://www.sqlite.org/lang_altertable.html): the rows are not
touched, and only rows that pass the new constraints can exist (the upgrade widens them;
the downgrade first makes sure no row uses the new value).

Downgrading stops, naming them, while security officer accounts exist: the old
constraints would refuse those rows, and accounts are never deleted by a migration.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLES_BEFORE = ("enterprise", "district", "city", "admin", "auditor")
ROLES_AFTER = (*ROLES_BEFORE, "security")
OFFICERS_BEFORE = "'admin', 'auditor'"
OFFICERS_AFTER = "'admin', 'security', 'auditor'"


def _role_check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def _org_check(officers: str) -> str:
    # The text of models.users.ROLE_ORG_CHECK.
    return (
        "(role = 'enterprise' AND enterprise_id IS NOT NULL AND region_id IS NULL)"
        " OR (role = 'district' AND enterprise_id IS NULL AND region_kind = 'district')"
        " OR (role = 'city' AND enterprise_id IS NULL AND region_kind IN ('city', 'province'))"
        f" OR (role IN ({officers}) AND enterprise_id IS NULL AND region_id IS NOT NULL)"
    )


def _postgresql(roles: tuple[str, ...], officers: str) -> None:
    # op.f(): the names are final, not run through the naming convention again.
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.drop_constraint(op.f("ck_users_role_matches_org"), "users", type_="check")
    op.create_check_constraint(op.f("ck_users_role"), "users", _role_check(roles))
    op.create_check_constraint(op.f("ck_users_role_matches_org"), "users", _org_check(officers))


def _sqlite(replacements: list[tuple[str, str]]) -> None:
    bind = op.get_bind()
    found = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'"
    sql = bind.exec_driver_sql(found).scalar_one()
    for old, new in replacements:
        if sql.count(old) != 1:
            raise RuntimeError(f"users table definition does not hold exactly one {old!r}")
        sql = sql.replace(old, new)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'users'"),
        {"sql": sql},
    )
    # A new schema version makes every connection re-read the definition.
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"integrity check failed after editing users: {problems}")


def _change(before: tuple[tuple[str, ...], str], after: tuple[tuple[str, ...], str]) -> None:
    (roles_before, officers_before), (roles_after, officers_after) = before, after
    if op.get_bind().dialect.name == "sqlite":
        _sqlite(
            [
                (_role_check(roles_before), _role_check(roles_after)),
                (f"role IN ({officers_before}) AND", f"role IN ({officers_after}) AND"),
            ]
        )
    else:
        _postgresql(roles_after, officers_after)


def upgrade() -> None:
    _change((ROLES_BEFORE, OFFICERS_BEFORE), (ROLES_AFTER, OFFICERS_AFTER))


def downgrade() -> None:
    users = sa.table("users", sa.column("username", sa.String), sa.column("role", sa.String))
    names = op.get_bind().scalars(sa.select(users.c.username).where(users.c.role == "security"))
    officers = sorted(names)
    if officers:
        raise RuntimeError(
            "cannot downgrade below 0007 while security officer accounts exist "
            f"(安全管理员账户仍存在: {', '.join(officers)}); change their role first"
        )
    _change((ROLES_AFTER, OFFICERS_AFTER), (ROLES_BEFORE, OFFICERS_BEFORE))
