"""Jinja globals and filters shared by every template."""

from __future__ import annotations

from typing import Any

from flask import Flask

from dispatch.access import Permission, has_permission
from dispatch.clock import CHINA_TZ
from dispatch.core.accounting import POLLUTANT_LABELS, format_t
from dispatch.projects.data import FIELD_LABELS
from forms.projects import LIST_ROWS
from models import PlanStatus

EVENT_LABELS = {
    "create": "新建",
    "import": "导入",
    "update": "修改",
    "submit": "提交审核",
    "approve": "审核通过",
    "return": "退回",
    "withdraw": "调出",
    "close": "销号",
    "change_request": "提交变更申请",
    "change_approve": "批准变更",
    "change_reject": "驳回变更",
    "withdrawal_request": "提交调出申请",
    "withdrawal_reject": "驳回调出申请",
}
CHANGE_FIELD_LABELS = {
    **FIELD_LABELS,
    "enterprise_id": "建设单位",
    "method": "核算方法",
    "params": "核算参数",
}


def _has_permission(user: Any, permission: str) -> bool:
    return has_permission(user, Permission(permission))


def _current_value(project: Any, field: str) -> Any:
    value = getattr(project, field)
    return f"{value:f}" if hasattr(value, "is_finite") else value


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        has_permission=_has_permission,
        format_t=format_t,
        pollutant_label=lambda p: POLLUTANT_LABELS.get(p, p),
        list_rows=LIST_ROWS,
        china_tz=CHINA_TZ,
        change_field_label=lambda k: CHANGE_FIELD_LABELS.get(k, k),
        event_label=lambda a: EVENT_LABELS.get(a, a),
        plan_status_label=lambda s: (
            PlanStatus(s).label if s in PlanStatus._value2member_map_ else s
        ),
        current_value=_current_value,
    )
    app.jinja_env.filters["change_field_label"] = lambda k: CHANGE_FIELD_LABELS.get(k, k)
