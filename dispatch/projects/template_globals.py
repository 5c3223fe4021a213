"""Template globals of the plan-list pages (history labels, change-request values)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from dispatch.projects.data import FIELD_LABELS
from forms.projects import LIST_ROWS

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


def _current_value(project: Any, field: str) -> Any:
    value = getattr(project, field)
    return f"{value:f}" if hasattr(value, "is_finite") else value


def register(bp: Blueprint) -> None:
    """Make the plan-list globals available to every template (the home page uses them too)."""
    bp.add_app_template_global(LIST_ROWS, "list_rows")
    bp.add_app_template_global(lambda k: CHANGE_FIELD_LABELS.get(k, k), "change_field_label")
    bp.add_app_template_global(lambda a: EVENT_LABELS.get(a, a), "event_label")
    bp.add_app_template_global(_current_value, "current_value")
    bp.add_app_template_filter(lambda k: CHANGE_FIELD_LABELS.get(k, k), "change_field_label")
