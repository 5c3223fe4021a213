"""Project forms. Parameter fields are generated from the catalog's method definitions,
so no engineering type has a hand-written form.

Field-level checks stay light here (length, choice); the rules themselves live in
``dispatch.projects.data.validate_project`` so the form, the import and change requests
share one rule set. Choices are passed in by the view; forms never query the database.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from dispatch.core.accounting.validation import range_text
from dispatch.core.catalog import MethodDef, ParamDef
from forms import Form, choices
from models import ConstructionStatus

LIST_ROWS = 6
PARAM_PREFIX = "p_"
_LIST_ERROR = re.compile(r"^(?P<key>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


class ProjectForm(Form):
    """The common fields; ``project_form`` adds the method's parameter fields."""

    version = HiddenField()
    name = StringField("项目名称", validators=[Length(max=200, message="不能超过 200 个字符")])
    plan_year = StringField("计划年度")
    district_id = SelectField("所在区县", coerce=str, validate_choice=False)
    enterprise_id = SelectField("建设单位（企业）", coerce=str, validate_choice=False)
    owner_unit = StringField(
        "建设单位（非企业）",
        description="公共工程（如管网、清洁取暖）无企业时填写责任单位",
        validators=[Length(max=128)],
    )
    site_address = StringField("建设地点", validators=[Length(max=255)])
    longitude = StringField("经度", description="WGS-84，73～136")
    latitude = StringField("纬度", description="WGS-84，3～54")
    planned_start = StringField("计划开工日期", render_kw={"type": "date"})
    planned_completion = StringField("计划完工日期", render_kw={"type": "date"})
    total_investment = StringField("总投资（万元）")
    env_investment = StringField("环保投资（万元）")
    construction_status = SelectField(
        "建设状态",
        choices=choices((s.value, s.label) for s in ConstructionStatus),
        validators=[Optional()],
    )
    actual_start = StringField("实际开工日期", render_kw={"type": "date"})
    actual_completion = StringField(
        "实际完工日期", render_kw={"type": "date"}, description="建设状态为已完工或稳定运行时必填"
    )
    stable_operation_from = StringField(
        "稳定运行日期", render_kw={"type": "date"}, description="建设状态为稳定运行时必填"
    )
    contact_name = StringField("联系人", validators=[Length(max=64)])
    contact_phone = StringField("联系电话", validators=[Length(max=32)])
    notes = TextAreaField("备注", validators=[Length(max=2000)])


class ReasonForm(Form):
    """Return, withdrawal, rejection: a reason is required."""

    reason = TextAreaField(
        "原因",
        validators=[InputRequired("请填写原因"), Length(max=2000, message="不能超过 2000 个字符")],
    )


class CommentForm(Form):
    """Approvals: an optional comment."""

    reason = TextAreaField("意见", validators=[Optional(), Length(max=2000)])


class VersionForm(Form):
    """Buttons that act on a project at a known version (submit, approve)."""

    version = HiddenField()


class ChangeReasonMixin:
    reason = TextAreaField(
        "变更原因", validators=[InputRequired("请填写变更原因"), Length(max=2000)]
    )


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
    return StringField(label, description=_param_description(param))


def project_form(
    method: MethodDef,
    *,
    district_choices: list[tuple[str, str]],
    enterprise_choices: list[tuple[str, str]],
    with_reason: bool = False,
    **kwargs: Any,
) -> ProjectForm:
    """A ProjectForm subclass with ``p_<key>`` fields for the method's parameters.

    List parameters get ``LIST_ROWS`` rows of ``p_<key>__<row>__<field>`` inputs.
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
        bases = (ChangeReasonMixin, ProjectForm)
    form_class = type(f"ProjectForm_{method.key}", bases, attrs)
    form = form_class(**kwargs)
    form.district_id.choices = choices(district_choices)
    form.enterprise_id.choices = choices([("", "（无：公共工程）"), *enterprise_choices])
    return form


def collect_params(form: ProjectForm, method: MethodDef) -> dict[str, Any]:
    """The parameter values typed into the form, lists as lists of non-empty rows."""
    values: dict[str, Any] = {}
    for param in method.params:
        if param.kind != "list":
            raw = form[f"{PARAM_PREFIX}{param.key}"].data
            if raw not in (None, ""):
                values[param.key] = raw.strip() if isinstance(raw, str) else raw
            continue
        rows = []
        for row in range(LIST_ROWS):
            cells = {
                sub.key: (form[f"{PARAM_PREFIX}{param.key}__{row}__{sub.key}"].data or "").strip()
                for sub in param.fields
            }
            if any(cells.values()):
                rows.append({k: v for k, v in cells.items() if v != ""})
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
