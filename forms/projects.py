"""Project forms. Parameter fields are generated from the catalog's method definitions,
so no engineering type has a hand-written form.

Every input is one of the hygiene fields of ``forms.fields`` (clean text within its column,
ASCII numbers, dates in a window, a phone number), so hostile input is refused on the
field it was typed into. The rules between fields and against the catalog live in
``dispatch.projects.data.validate_project`` so the form, the import and change requests
share one rule set; the windows and limits used here are that module's. Choices are
passed in by the view; forms never query the database.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from wtforms import Field, SelectField
from wtforms.validators import Optional

from dispatch.core import inputs
from dispatch.core.accounting.validation import TEXT_MAX, range_text
from dispatch.core.catalog import MethodDef, ParamDef
from dispatch.projects import data
from forms import Form, choices
from forms.fields import (
    ChoiceOf,
    CleanText,
    CleanTextArea,
    DateText,
    DecimalText,
    IntegerText,
    PhoneText,
    VersionField,
)
from models import ConstructionStatus

LIST_ROWS = 6
PARAM_PREFIX = "p_"
_LIST_ERROR = re.compile(r"^(?P<key>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")
# A typed parameter number: the catalog's digit rules apply in validate_project; the
# field only keeps the text clean and short.
PARAM_NUMBER_CHARS = 64
REASON_MAX = 2000


def _planned_bound(end: int) -> Any:
    def bound(form: Any) -> dt.date:
        year = form.plan_year.data if isinstance(form.plan_year.data, int) else None
        return data.planned_window(year)[end]

    return bound


def _actual_latest(form: Any) -> dt.date | None:
    today = getattr(form, "today", None)
    return data.actual_window(today)[1] if today is not None else None


def _actual_date(label: str, **kwargs: Any) -> DateText:
    return DateText(label, earliest=inputs.EARLIEST_DATE, latest=_actual_latest, **kwargs)


class ProjectForm(Form):
    """The common fields; ``project_form`` adds the method's parameter fields.

    ``today`` (the caller's Beijing date) bounds the actual dates; the view sets it.
    """

    today: dt.date | None = None

    name = CleanText("项目名称", max_length=data.TEXT_LIMITS["name"], identifier=True)
    plan_year = IntegerText("计划年度", minimum=data.YEAR_RANGE[0], maximum=data.YEAR_RANGE[1])
    district_id = SelectField(
        "所在区县", coerce=str, validate_choice=False, validators=[ChoiceOf("所选区县无效")]
    )
    enterprise_id = SelectField(
        "建设单位（企业）",
        coerce=str,
        validate_choice=False,
        validators=[ChoiceOf("所选建设单位无效")],
    )
    owner_unit = CleanText(
        "建设单位（非企业）",
        max_length=data.TEXT_LIMITS["owner_unit"],
        identifier=True,
        description="公共工程（如管网、清洁取暖）无企业时填写责任单位",
    )
    site_address = CleanText("建设地点", max_length=data.TEXT_LIMITS["site_address"])
    longitude = DecimalText(
        "经度", max_digits=data.COORDINATE_DIGITS[0], places=data.COORDINATE_DIGITS[1],
        description="WGS-84，73～136",
    )  # fmt: skip
    latitude = DecimalText(
        "纬度", max_digits=data.COORDINATE_DIGITS[0], places=data.COORDINATE_DIGITS[1],
        description="WGS-84，3～54",
    )  # fmt: skip
    planned_start = DateText("计划开工日期", earliest=_planned_bound(0), latest=_planned_bound(1))
    planned_completion = DateText(
        "计划完工日期", earliest=_planned_bound(0), latest=_planned_bound(1)
    )
    total_investment = DecimalText(
        "总投资（万元）", max_digits=data.MONEY_DIGITS[0], places=data.MONEY_DIGITS[1]
    )
    env_investment = DecimalText(
        "环保投资（万元）", max_digits=data.MONEY_DIGITS[0], places=data.MONEY_DIGITS[1]
    )
    construction_status = SelectField(
        "建设状态",
        choices=choices((s.value, s.label) for s in ConstructionStatus),
        validators=[Optional()],
    )
    actual_start = _actual_date("实际开工日期")
    actual_completion = _actual_date("实际完工日期", description="建设状态为已完工或稳定运行时必填")
    stable_operation_from = _actual_date("稳定运行日期", description="建设状态为稳定运行时必填")
    contact_name = CleanText("联系人", max_length=data.TEXT_LIMITS["contact_name"], identifier=True)
    contact_phone = PhoneText("联系电话")
    notes = CleanTextArea("备注", max_length=data.TEXT_LIMITS["notes"])


class VersionForm(Form):
    """Buttons that act on a project at the version the page showed (submit, approve)."""

    version = VersionField("版本")


class ReasonForm(VersionForm):
    """Return, withdrawal, rejection: a reason is required."""

    reason = CleanTextArea("原因", max_length=REASON_MAX, required="请填写原因")


class RejectForm(VersionForm):
    """Rejecting a change or withdrawal request: a reason is required."""

    reason = CleanTextArea("驳回原因", max_length=REASON_MAX, required="驳回申请必须填写原因")


class CommentForm(VersionForm):
    """Approvals: an optional comment."""

    reason = CleanTextArea("意见", max_length=REASON_MAX)


class ChangeReasonMixin:
    reason = CleanTextArea("变更原因", max_length=REASON_MAX, required="请填写变更原因")


class VersionMixin:
    """Editing and change requests act on the version the form was rendered from."""

    version = VersionField("版本")


def _param_description(param: ParamDef) -> str:
    parts = [text for text in (range_text(param), param.help_zh) if text]
    if param.default is not None:
        parts.append(f"默认 {param.default}")
    return "；".join(parts)


def _field_for(param: ParamDef, label: str) -> Field:
    if param.kind == "choice":
        return SelectField(
            label,
            choices=choices([("", "请选择"), *param.choices]),
            validators=[Optional()],
            description=param.help_zh,
        )
    if param.kind == "text":
        return CleanText(
            label, max_length=TEXT_MAX, identifier=True, description=_param_description(param)
        )
    return CleanText(label, max_length=PARAM_NUMBER_CHARS, description=_param_description(param))


def project_form(
    method: MethodDef,
    *,
    district_choices: list[tuple[str, str]],
    enterprise_choices: list[tuple[str, str]],
    today: dt.date,
    with_reason: bool = False,
    versioned: bool = False,
    **kwargs: Any,
) -> ProjectForm:
    """A ProjectForm subclass with ``p_<key>`` fields for the method's parameters.

    List parameters get ``LIST_ROWS`` rows of ``p_<key>__<row>__<field>`` inputs.
    ``versioned`` (edits, change requests) requires the version the form was rendered from.
    """
    attrs: dict[str, Any] = {}
    for param in method.params:
        if param.kind == "list":
            for row in range(LIST_ROWS):
                for sub in param.fields:
                    attrs[f"{PARAM_PREFIX}{param.key}__{row}__{sub.key}"] = _field_for(
                        sub, sub.label_with_unit
                    )
        else:
            attrs[f"{PARAM_PREFIX}{param.key}"] = _field_for(param, param.label_with_unit)
    bases: tuple[type, ...] = (ProjectForm,)
    if with_reason:
        bases = (ChangeReasonMixin, *bases)
    if versioned:
        bases = (VersionMixin, *bases)
    form_class = type(f"ProjectForm_{method.key}", bases, attrs)
    form = form_class(**kwargs)
    form.today = today
    form.district_id.choices = choices(district_choices)
    form.enterprise_id.choices = choices([("", "（无：公共工程）"), *enterprise_choices])
    return form


def _typed(value: Any) -> Any:
    """A field's value, or None when nothing was typed."""
    if isinstance(value, str):
        value = value.strip()
    return None if value in (None, "") else value


def collect_params(form: ProjectForm, method: MethodDef) -> dict[str, Any]:
    """The parameter values typed into the form, lists as lists of non-empty rows."""
    values: dict[str, Any] = {}
    for param in method.params:
        if param.kind != "list":
            raw = _typed(form[f"{PARAM_PREFIX}{param.key}"].data)
            if raw is not None:
                values[param.key] = raw
            continue
        rows = []
        for row in range(LIST_ROWS):
            cells = {
                sub.key: _typed(form[f"{PARAM_PREFIX}{param.key}__{row}__{sub.key}"].data)
                for sub in param.fields
            }
            if any(v is not None for v in cells.values()):
                rows.append({k: v for k, v in cells.items() if v is not None})
        values[param.key] = rows
    return values


def params_as_form_data(method: MethodDef, params: dict[str, Any]) -> dict[str, Any]:
    """Stored parameters → ``p_...`` form data (for editing and change requests)."""
    data: dict[str, Any] = {}
    for param in method.params:
        value = params.get(param.key)
        if param.kind == "list":
            for row, item in enumerate((value or [])[:LIST_ROWS]):
                for sub in param.fields:
                    if sub.key in item:
                        data[f"{PARAM_PREFIX}{param.key}__{row}__{sub.key}"] = str(item[sub.key])
        elif value is not None:
            data[f"{PARAM_PREFIX}{param.key}"] = str(value)
    return data


def form_field_for_error(key: str) -> str:
    """Map a validation error key (``name`` / ``param:materials[0].use_before``) to a field."""
    if not key.startswith("param:"):
        return {"district": "district_id", "enterprise": "enterprise_id"}.get(key, key)
    param = key.removeprefix("param:")
    match = _LIST_ERROR.match(param)
    if match:
        return f"{PARAM_PREFIX}{match['key']}__{match['index']}__{match['field']}"
    return f"{PARAM_PREFIX}{param}"
