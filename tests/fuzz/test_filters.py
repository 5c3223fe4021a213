"""The query-string filters of the route inventory, fuzzed with hostile values.

Every GET form of every page (the project list's filters, the new-project type chooser,
the export's year and scope, the evidence archive's district, the audit log's filters, the
admin lists' searches) is sent with hostile values in some of its fields and in ``page``.
No answer is a 5xx; a refusal (an error shown with the list, or a redirect with a flash)
is in Chinese; a workbook answered opens without formula cells.
``test_every_get_form_is_fuzzed`` walks every page of the access matrix, so a new filter
form fails the suite until it is listed here.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.access.cases import Row
from tests.access.matrix import MATRIX
from tests.fuzz import checks
from tests.fuzz.arena import FUZZ, Arena, Objects, allowed_actors
from tests.fuzz.hostile import MISSING, draw_targets, hostile_value
from tests.fuzz.pages import find_form, forms

# Endpoint of a GET form's target → the page that shows the form.
FILTER_PAGES = {
    "projects.index": "/projects/",
    "projects.new": "/projects/new",
    "projects.export_plan_list": "/projects/import",
    "auditlog.events": "/audit/events",
    "auditlog.export_events": "/audit/events",
    "admin.users": "/admin/users",
    "admin.regions": "/admin/regions",
    "admin.enterprises": "/admin/enterprises",
    "security.accounts": "/security/accounts",
    "auth.sign_ins": "/audit/sign-ins",
    "rounds.reports": "/rounds/{round}/reports",
    "evidence.archive": "/evidence/",
    "reductions.index": "/reductions/",
    "dashboards.index": "/dashboards/",
    "dashboards.region": "/dashboards/regions/{district_a}",
}
# Not on any form, but in every pager link.
EXTRA = ("page",)
MAX_TARGETS = 5


def _row(endpoint: str) -> Row:
    return next(r for r in MATRIX if r.endpoint == endpoint and r.method == "GET")


FILTER_ROWS = [_row(endpoint) for endpoint in FILTER_PAGES]


def test_every_get_form_is_fuzzed(arena: Arena):
    adapter = arena.app.url_map.bind("localhost")
    unlisted = set()
    for row in MATRIX:
        # A row no one may open (a draft's calculation sheet) has no page to look at.
        if row.method != "GET" or ".xlsx" in row.path or not allowed_actors(row):
            continue
        with arena.isolated():
            found = arena.set_up(row)
            client = arena.signed_in(allowed_actors(row)[0])
            page = arena.url(row.path, found)
            response = client.get(page)
            # Downloads (workbooks, evidence files) are bytes, not pages.
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            response.close()
        if response.mimetype != "text/html":
            continue
        for form in forms(html, page):
            if form.method == "get":
                endpoint, _args = adapter.match(form.url.split("?")[0], method="GET")
                if endpoint not in FILTER_PAGES:
                    unlisted.add(f"{endpoint} (a GET form on {row.path})")
    assert not unlisted, f"GET forms not fuzzed: {sorted(unlisted)}"


@pytest.mark.parametrize("row", FILTER_ROWS, ids=[row.endpoint for row in FILTER_ROWS])
def test_filter_survives_hostile_input(row: Row, arena: Arena):
    ids = arena.ids()
    actors = allowed_actors(row)[:3]
    # A page of one object ({round}…) is set up per example, from the row's setup.
    placeholders = "{" in FILTER_PAGES[row.endpoint]

    @FUZZ
    @given(data=st.data())
    def attack(data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(actors), label="actor")
        with arena.isolated():
            found = arena.set_up(row) if placeholders else Objects()
            page_url = arena.url(FILTER_PAGES[row.endpoint], found)
            target = arena.url(row.path.split("?")[0], found)
            client = arena.signed_in(actor)
            page = client.get(page_url)
            html = page.get_data(as_text=True)
            page.close()
            form = find_form(html, page_url, target, "GET")
            assert form is not None, f"{actor} sees no GET form to {target} on {page_url}"
            query = form.values()
            names = [*form.fields, *EXTRA]
            chosen = draw_targets(data, names, MAX_TARGETS)
            for name in chosen:
                field = form.fields.get(name)
                value = data.draw(
                    hostile_value(
                        query.get(name, ""), choices=field.options if field else (), ids=ids
                    ),
                    label=name,
                )
                if value is MISSING:
                    query.pop(name, None)
                else:
                    query[name] = value
            response = client.get(target, query_string=query)
            checks.check_answer(client, response, f"{actor} GET {target}", read_only=True)

    attack()
