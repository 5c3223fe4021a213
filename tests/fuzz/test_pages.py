"""The fuzz suite's own reading of pages: a refused field must show a message naming it.

The fuzz tests pass only if this check can fail, so it is tried here on pages that break
it: a field marked as refused without a message, a message that does not name the field
(in a field block and in a table of list lines), and the label shown twice.
"""

from __future__ import annotations

import pytest

from tests.fuzz.pages import field_error_problems


def _block(label: str, message: str) -> str:
    """A field as ``_form.html`` renders it (label, control, error)."""
    return (
        f'<div class="mb-3"><label class="form-label" for="name">{label}</label>'
        '<input class="form-control is-invalid" id="name" name="name" value="x">'
        f'<div class="invalid-feedback d-block">{message}</div></div>'
    )


def _line_table(message: str) -> str:
    """A list-line cell as the project form renders it (the column header is the label)."""
    return (
        '<table class="table"><thead><tr><th>#</th><th class="small">材料名称</th></tr></thead>'
        '<tbody><tr><td>1</td><td><input class="form-control is-invalid" '
        'name="p_materials__0__name" value="x">'
        f'<div class="invalid-feedback d-block">{message}</div></td></tr></tbody></table>'
    )


def _page(body: str) -> str:
    return f"<html><body><main><form method='post'>{body}</form></main></body></html>"


@pytest.mark.parametrize(
    "body",
    [
        _block("项目名称", "项目名称过长：最多 255 个字符，当前 256 个"),
        _block("所在区县", "所在区县：所选区县无效"),
        _line_table("替代原辅材料第1行：材料名称不能包含控制字符（U+001B）"),
        '<input class="form-control" id="ok" name="ok" value="">',
    ],
)
def test_a_message_naming_its_field_passes(body: str) -> None:
    assert field_error_problems(_page(body)) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (_block("所在区县", "所选区县无效"), "does not name it"),
        (_block("项目名称", "项目名称：项目名称过长"), "names it twice"),
        (_line_table("应为数字"), "does not name it"),
        (
            '<div class="mb-3"><label for="name">名称</label>'
            '<input class="form-control is-invalid" id="name" name="name"></div>',
            "shows no message",
        ),
        ('<div><input class="is-invalid" name="stray"></div>', "has no label"),
    ],
)
def test_a_refused_field_must_be_named(body: str, problem: str) -> None:
    problems = field_error_problems(_page(body))
    assert len(problems) == 1 and problem in problems[0], problems
