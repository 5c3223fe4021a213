"""The unit of work of a view: who acts, then one service call committed once.

A view loads its objects through scoped queries, validates its form, builds the
:class:`~dispatch.audit.Acting` of the request with :func:`acting` and hands the service
call to :func:`run`, which commits once and turns each way the call can fail into
something the user can act on:

- a business rule refused it (``DomainError``): its message, on the form field it names,
  or flashed;
- the object changed since the page was shown (``StaleObjectError`` from a service's
  version check, or SQLAlchemy's ``StaleDataError`` when the row's ``version_id`` moved
  under the update): 已被他人修改，请刷新后重试. The form is left exactly as the user
  typed it: nothing here reloads it;
- a concurrent request took a unique key between the service's check and the insert
  (``IntegrityError``): a Chinese message naming what clashed;
- anything else: rolled back and re-raised (the 500 page).

A lost race that a fresh attempt would win is rerun from the start after a rollback, a
few times, before it is reported: a generated project code taken by a simultaneous create
(the rerun draws the next free one), and a transaction that could not write because
another one wrote first (SQLite: a read transaction cannot become a writer while another
connection writes or after it committed; PostgreSQL: serialization failure, deadlock).
Services write only to the session, so rerunning one is safe. On SQLite a rerun takes the
write lock before it reads anything, so it waits its turn (the busy timeout) and cannot
lose the same way twice.

Indico's ``RH.process`` and warehouse's request-scoped transaction are the models.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from flask import flash, g, request
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field

from dispatch.audit import Acting
from dispatch.clock import now
from dispatch.db import get_session
from dispatch.errors import DomainError, StaleObjectError

T = TypeVar("T")

# A rerun takes milliseconds; three attempts win any race short of a flood.
ATTEMPTS = 3
STALE_MESSAGE = StaleObjectError().message
BUSY_MESSAGE = "他人正在同时保存，本次未能保存，请稍后重试"


@dataclasses.dataclass(frozen=True)
class Conflict:
    """What a violated unique key means to the user."""

    message: str
    field: str | None = None
    # The clashing value was generated, not typed: a rerun generates another.
    retry: bool = False


GENERIC_CONFLICT = Conflict("保存失败：与他人同时提交的内容或已有记录冲突，请刷新后重试")

# Keys a concurrent request can take between a service's uniqueness check and its insert.
# PostgreSQL reports the constraint's name, SQLite the columns; both spellings are keys.
_CONFLICTS: tuple[tuple[str, str, Conflict], ...] = (
    (
        "uq_projects_code",
        "projects.code",
        Conflict("项目编号已被同时保存的其他项目占用，请重新提交", retry=True),
    ),
    (
        "uq_projects_district_id_plan_year_name",
        "projects.district_id, projects.plan_year, projects.name",
        Conflict("该区县本年度已有同名项目（他人刚刚保存）", field="name"),
    ),
    (
        "ix_change_requests_one_pending",
        "change_requests.project_id",
        Conflict("该项目已有待审核的申请，请等待市局处理"),
    ),
    (
        "uq_dispatch_rounds_city_id_year_month",
        "dispatch_rounds.city_id, dispatch_rounds.year, dispatch_rounds.month",
        Conflict("该月的调度轮次刚刚已由他人开启，不能重复开启", field="month"),
    ),
    (
        "uq_progress_reports_round_id_project_id",
        "progress_reports.round_id, progress_reports.project_id",
        Conflict("该项目本轮填报已由他人同时创建，请刷新后重试", retry=True),
    ),
    ("uq_users_username", "users.username", Conflict("该用户名已被使用", field="username")),
    (
        "uq_regions_division_code",
        "regions.division_code",
        Conflict("该行政区划代码已存在", field="division_code"),
    ),
    (
        "uq_enterprises_uscc",
        "enterprises.uscc",
        Conflict("该统一社会信用代码已被其他企业使用", field="uscc"),
    ),
    # Two writers chained onto the same event; the rerun chains onto the winner.
    ("uq_audit_events_prev_hash", "audit_events.prev_hash", dataclasses.replace(
        GENERIC_CONFLICT, retry=True
    )),
)  # fmt: skip
CONFLICTS: dict[str, Conflict] = {
    key: conflict for name, columns, conflict in _CONFLICTS for key in (name, columns)
}

_SQLITE_UNIQUE = "UNIQUE constraint failed: "
# SQLite refuses, at once and without the busy timeout, a read transaction that tries to
# write while another connection writes (SQLITE_BUSY) or after it committed
# (SQLITE_BUSY_SNAPSHOT); a fresh transaction is the cure.
_SQLITE_LOST_RACE = (5, 517)
# A write that changes nothing: SQLite starts a write transaction for it, waiting for the
# lock under the busy timeout, before the rerun reads anything.
_SQLITE_CLAIM_WRITE = text("UPDATE audit_events SET id = id WHERE 0")
# PostgreSQL: serialization failure, deadlock detected.
_PG_RERUN_STATES = ("40001", "40P01")


def acting() -> Acting:
    """Who acts in this request, when and from where (built once, at the first call)."""
    if "acting" not in g:
        user = current_user._get_current_object() if current_user.is_authenticated else None
        g.acting = Acting(user=user, at=now(), remote_addr=request.remote_addr or "")
    return g.acting  # type: ignore[no-any-return]


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why the work was not saved, in words for the user; ``field`` names a form field."""

    message: str
    field: str | None = None


@dataclasses.dataclass(frozen=True)
class Outcome(Generic[T]):
    """The work's return value when it was committed, or why nothing was saved."""

    value: T | None = None
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def conflict_for(exc: IntegrityError) -> Conflict:
    """The meaning of a violated key: by constraint name (PostgreSQL) or columns (SQLite)."""
    diag = getattr(exc.orig, "diag", None)
    key = getattr(diag, "constraint_name", None)
    if key is None:
        said = str(exc.orig)
        key = said.removeprefix(_SQLITE_UNIQUE) if said.startswith(_SQLITE_UNIQUE) else ""
    return CONFLICTS.get(key, GENERIC_CONFLICT)


def lost_race(exc: OperationalError) -> bool:
    """The transaction could not write because a concurrent one won; a rerun may not."""
    orig = exc.orig
    return (
        getattr(orig, "sqlite_errorcode", None) in _SQLITE_LOST_RACE
        or getattr(orig, "sqlstate", None) in _PG_RERUN_STATES
    )


def _attempt(
    session: Session, work: Callable[[Session], T], *, rerun: bool
) -> tuple[T | None, Refusal | None, bool]:
    """One try: ``(value, refusal, rerun)``; rolled back unless it committed."""
    try:
        if rerun and session.get_bind().dialect.name == "sqlite":
            session.execute(_SQLITE_CLAIM_WRITE)
        value = work(session)
        session.commit()
    except DomainError as exc:  # StaleObjectError included
        session.rollback()
        return None, Refusal(exc.message, exc.field), False
    except StaleDataError:
        session.rollback()
        return None, Refusal(STALE_MESSAGE), False
    except IntegrityError as exc:
        session.rollback()
        conflict = conflict_for(exc)
        return None, Refusal(conflict.message, conflict.field), conflict.retry
    except OperationalError as exc:
        session.rollback()
        if not lost_race(exc):
            raise
        return None, Refusal(BUSY_MESSAGE), True
    except BaseException:
        session.rollback()
        raise
    return value, None, False


def run(
    work: Callable[[Session], T],
    *,
    form: Any = None,
    field_name: Callable[[str], str] | None = None,
) -> Outcome[T]:
    """Run ``work(session)`` and commit once; on a refusal roll back and show why.

    The refusal goes on the field of ``form`` it names (``field_name`` maps a service's
    field name to the form's, where they differ) or, naming none the form has, is flashed.
    """
    session = get_session()
    refusal: Refusal | None = None
    rerun = False
    for _ in range(ATTEMPTS):
        value, refusal, rerun = _attempt(session, work, rerun=rerun)
        if refusal is None:
            return Outcome(value=value)
        if not rerun:
            break
    assert refusal is not None
    show(refusal, form, field_name)
    return Outcome(refusal=refusal)


def show(
    refusal: Refusal, form: Any = None, field_name: Callable[[str], str] | None = None
) -> None:
    """Put ``refusal`` on the form field it names, or flash it."""
    name = refusal.field
    if name and field_name is not None:
        name = field_name(name)
    field = getattr(form, name, None) if form is not None and name else None
    if isinstance(field, Field):
        # Errors are a tuple until the form has been validated; a fresh list is safe.
        field.errors = [*field.errors, refusal.message]
    else:
        flash(refusal.message, "danger")
