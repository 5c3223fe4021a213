"""Reduction forms: the actual-parameter entry, the city's confirm button, the close-out, the
target grid.

The parameter fields are generated from the catalog's method definition with the same
``p_<key>`` names (and list rows) as the project forms, so ``collect_params``,
``params_as_form_data`` and ``form_field_for_error`` of :mod:`forms.projects` apply. The
engine (in the service) judges the values; the fields only keep hostile text out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wtforms import Field, HiddenField, SelectField
from wtforms.validators import Optional

from dispatch.core.accounting.validation import TEXT_MAX
from dispatch.core.catalog import MethodDef, ParamDef
from dispatch.core.pollutants import POLLUTANTS
from forms import Form, choices
from forms.fields import CleanText, CleanTextArea, DecimalText, IntegerText, VersionField
from forms.projects import LIST_ROWS, PARAM_PREFIX

REASON_MAX = 2000
PARAM_NUMBER_CHARS = 64
TARGET_PREFIX = "t_"


class ActualsForm(Form):
    """The actual operating parameters of one year (fields added per method)."""

    version = VersionField("版本")
    # The draft's version the page showed; 0: there was none.
    draft_version = IntegerText(
        "待核定版本", minimum=0, maximum=2**31 - 1, required="页面缺少版本信息"
    )
    year = IntegerText("核算年度", minimum=2000, maximum=2100, required="请填写核算年度")
    reason = CleanTextArea("更正原因", max_length=REASON_MAX)


class ConfirmForm(Form):
    """The city's 核定 of a year's draft, at the draft version the page showed."""

    version = VersionField("版本")
    year = IntegerText("核算年度", minimum=2000, maximum=2100, required="请填写核算年度")


class CloseOutForm(Form):
    """The city's close-out (销号) at the project version the page showed; a note if any."""

    version = VersionField("版本")
    reason = CleanTextArea("销号说明", max_length=REASON_MAX)


def _param_field(param: ParamDef, label: str) -> Field:
    if param.kind == "choice":
        return SelectField(
            label, choices=choices([("", "请选择"), *param.choices]), validators=[Optional()]
        )
    if param.kind == "text":
        return CleanText(label, max_length=TEXT_MAX, identifier=True)
    return CleanText(label, max_length=PARAM_NUMBER_CHARS)


def actuals_form(method: MethodDef, **kwargs: Any) -> ActualsForm:
    """An ActualsForm subclass with the method's ``p_...`` parameter fields."""
    attrs: dict[str, Any] = {}
    for param in method.params:
        if param.kind == "list":
            for row in range(LIST_ROWS):
                for sub in param.fields:
                    name = f"{PARAM_PREFIX}{param.key}__{row}__{sub.key}"
                    attrs[name] = _param_field(sub, sub.label_with_unit)
        else:
            attrs[f"{PARAM_PREFIX}{param.key}"] = _param_field(param, param.label_with_unit)
    form_class = type(f"ActualsForm_{method.key}", (ActualsForm,), attrs)
    return form_class(**kwargs)  # type: ignore[no-any-return]


class TargetsForm(Form):
    """A period's target grid (fields ``t_<region id>_<pollutant>`` added per region)."""

    period = HiddenField("期间")
    seen = IntegerText("版本", minimum=0, maximum=2**31 - 1, required="页面缺少版本信息")


def target_field(region_id: int, pollutant: str) -> str:
    return f"{TARGET_PREFIX}{region_id}_{pollutant}"


def targets_form(regions: list[tuple[int, str]], **kwargs: Any) -> TargetsForm:
    """The grid of ``regions`` (id, name): each message names the region and pollutant."""
    attrs = {
        target_field(region_id, p.code): DecimalText(
            f"{name}{p.label}减排目标（吨）", max_digits=18, places=6, minimum=Decimal(0)
        )
        for region_id, name in regions
        for p in POLLUTANTS
    }
    form_class = type("TargetsGrid", (TargetsForm,), attrs)
    return form_class(**kwargs)  # type: ignore[no-any-return]


def target_values(form: TargetsForm, region_ids: list[int]) -> dict[tuple[int, str], Decimal]:
    """The cells typed into the grid (empty cells are left out: no change)."""
    values = {}
    for region_id in region_ids:
        for p in POLLUTANTS:
            value = form[target_field(region_id, p.code)].data
            if value is not None:
                values[(region_id, p.code)] = value
    return values
