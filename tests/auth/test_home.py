"""Which sections each role's home page holds: the to-do list (待办) for those who take part
in the plan list and the monthly dispatch, the early warnings (预警) for the city and the
districts, neither for the three officers (administrator, security officer, auditor).

What the sections count is tested with the rounds (tests/rounds/test_home_todo.py and
test_warnings.py); here the world has no round and no project, so every list is empty and
every figure zero.
"""

from __future__ import annotations

import pytest

# key: (to-do list, warnings)
SECTIONS = {
    "enterprise_a": (True, False),
    "district_a": (True, True),
    "city": (True, True),
    "admin": (False, False),
    "security": (False, False),
    "auditor": (False, False),
}


@pytest.mark.parametrize("key", list(SECTIONS))
def test_home_sections_per_role(login_as, key):
    page = login_as(key).get("/").get_data(as_text=True)
    todo, warnings = SECTIONS[key]
    assert ('data-testid="home-todo"' in page) is todo
    assert ('data-testid="home-warnings"' in page) is warnings
    if todo:
        assert 'data-testid="todo-empty">暂无待办事项<' in page
    if warnings:
        for testid in ("warning-overdue", "warning-stalled", "warning-missing"):
            assert f'data-testid="{testid}">0<' in page, testid
        assert 'href="/projects/?warning=overdue&amp;year="' in page
        assert 'href="/projects/?warning=stalled&amp;year="' in page


def test_warning_links_open_the_filtered_list(login_as):
    client = login_as("city")
    for warning, label in (("overdue", "逾期"), ("stalled", "停滞")):
        page = client.get(f"/projects/?warning={warning}&year=").get_data(as_text=True)
        assert f'<option value="{warning}" selected>{label}</option>' in page
