"""Every POST route of the route inventory, fuzzed with hostile values (issue 8, point 8).

For each POST row of the access matrix, as an actor the matrix admits: set up the row's
objects, open the page that shows the form, learn its fields from the HTML, start from
values that pass, replace some fields with hostile values (or leave them out), post it
(sometimes twice) and check that

- no answer is a 5xx;
- a refusal (the form shown again, an error page, a redirect with a flash) says so in
  Chinese, and a form shown again changed nothing in the database;
- the city's plan-list export of every stored year still answers 200 and opens, without a
  single formula cell.

Examples are few per route, derandomised (the same on every run) and independent: each
runs in a savepoint rolled back at its end.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.core.catalog import get_catalog
from dispatch.projects.samples import sample_params
from forms.projects import params_as_form_data
from tests.access.cases import Row
from tests.access.matrix import MATRIX
from tests.evidence.corpus import EXE, GOOD, PDF_JS, SVG
from tests.fuzz import checks
from tests.fuzz.arena import FUZZ, PAGE_OF, Arena, allowed_actors, baseline
from tests.fuzz.hostile import MISSING, draw_targets, filename, hostile_value
from tests.fuzz.pages import Form, find_form

# One row per form: a path's further rows set up states in which the page offers no form
# (an edit after submission, a refused submit); the access matrix checks those.
FORM_ROWS = list({row.path: row for row in reversed(MATRIX) if row.method == "POST"}.values())[::-1]
# The new-project form is one per engineering type and method; each example picks one.
NEW_PROJECT = "/projects/new?type={type}&method={method}"
# The most fields replaced in one example: few, so that the rest of the form is valid and
# a hostile value that passes its field reaches the services and the export.
MAX_TARGETS = 3
# Probing stops after this many actors that see the form: the examples choose among them.
MAX_ACTORS = 3
Pair = tuple[str, str] | None  # (engineering type, method) of a new project
# A button without fields (log out, disable, enable) gets only unexpected extra fields.
BUTTON = settings(FUZZ, max_examples=min(FUZZ.max_examples, 3))


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file for a file field (printed by name and size in a falsifying example)."""

    content: bytes
    name: str

    def __repr__(self) -> str:
        return f"Upload({self.name!r}, {len(self.content)} bytes)"


UPLOAD_BYTES = (
    b"",
    b"not a workbook",
    b"PK\x03\x04" + b"\x00" * 64,
    b"\xd0\xcf\x11\xe0" + b"\x00" * 64,
    b'=HYPERLINK("http://x","y")\x1b',
)


# Evidence uploads (the whole hostile corpus is tests/evidence): an executable, a script in
# an SVG and a PDF with JavaScript under accepted names, and a good PDF and image, so that
# some examples store a file and the checks see the state change.
EVIDENCE_BYTES = (EXE, SVG, PDF_JS, GOOD["实施方案.pdf"], GOOD["竣工图.png"])
EVIDENCE_NAMES = (
    "实施方案.pdf", "竣工图.png", "=HYPERLINK(1).pdf", "../../方案.pdf", "方案\u202efdp.pdf",
)  # fmt: skip


def upload_value() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(Upload, st.sampled_from(UPLOAD_BYTES), filename()),
        st.builds(Upload, st.sampled_from(EVIDENCE_BYTES), st.sampled_from(EVIDENCE_NAMES)),
        st.just(MISSING),
        st.sampled_from(("", "\x1b", "²")),
    )


def pairs() -> list[tuple[str, str]]:
    return [(t.code, m) for t in get_catalog().types for m in t.methods]


def _encoded(payload: dict[str, Any]) -> dict[str, Any]:
    """The request body; an upload is a fresh stream on every send."""
    return {
        k: (io.BytesIO(v.content), v.name) if isinstance(v, Upload) else v
        for k, v in payload.items()
    }


def _open_form(
    arena: Arena, row: Row, actor: str, pair: Pair
) -> tuple[FlaskClient, Form | None, str]:
    """Set up, sign in, open the page: the browser, the form (if shown) and its target."""
    found = arena.set_up(row)
    client = arena.signed_in(actor)
    if pair is not None:
        page_url = target = NEW_PROJECT.format(type=pair[0], method=pair[1])
    else:
        page_url = arena.url(PAGE_OF.get(row.endpoint, row.path), found)
        target = arena.url(row.path, found)
    page = client.get(page_url)
    html = page.get_data(as_text=True)
    page.close()
    assert page.status_code == 200, f"{actor} GET {page_url}: HTTP {page.status_code}"
    return client, find_form(html, page_url, target, "POST"), target


def _actors_with_form(arena: Arena, row: Row, pair: Pair) -> tuple[list[str], bool]:
    """The admitted actors whose page shows the form (a button is offered only to some),
    and whether the form has a field besides its CSRF token."""
    seen, has_fields = [], False
    for actor in allowed_actors(row):
        with arena.isolated():
            _client, form, _target = _open_form(arena, row, actor, pair)
        if form is not None:
            seen.append(actor)
            has_fields = has_fields or any(name != "csrf_token" for name in form.fields)
        if len(seen) == MAX_ACTORS:
            break
    return seen, has_fields


def _baseline(arena: Arena, form: Form, row: Row, pair: Pair) -> dict[str, Any]:
    good = arena.good_values(row.endpoint)
    if pair is not None:
        good |= params_as_form_data(get_catalog().method(pair[1]), sample_params(pair[1]))
    return baseline(form.values(), form.fields, good)


def test_every_post_route_is_fuzzed(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert posts == {row.endpoint for row in FORM_ROWS}


@pytest.mark.parametrize("row", FORM_ROWS, ids=[row.id for row in FORM_ROWS])
def test_form_route_survives_hostile_input(row: Row, arena: Arena):
    ids = arena.ids()
    new_project = row.endpoint == "projects.new"
    actors, has_fields = _actors_with_form(arena, row, pairs()[0] if new_project else None)
    assert actors, (
        f"no admitted actor sees a form posting to {row.path}: if it is shown on another "
        "page than its own URL, add that page to PAGE_OF in tests/fuzz/arena.py"
    )

    @(FUZZ if has_fields else BUTTON)
    @given(data=st.data())
    def attack(data: st.DataObject) -> None:
        pair = data.draw(st.sampled_from(pairs()), label="type, method") if new_project else None
        actor = data.draw(st.sampled_from(actors), label="actor")
        with arena.isolated():
            client, form, target = _open_form(arena, row, actor, pair)
            assert form is not None, f"{actor} sees no form posting to {target}"
            payload: dict[str, Any] = _baseline(arena, form, row, pair)
            names = [n for n in form.fields if n != "csrf_token"] or ["unexpected"]
            chosen = draw_targets(data, names, MAX_TARGETS)
            for name in chosen:
                field = form.fields.get(name)
                if field is not None and field.kind == "file":
                    value = data.draw(upload_value(), label=name)
                else:
                    options = field.options if field else ()
                    base = payload.get(name, "")
                    value = data.draw(hostile_value(base, choices=options, ids=ids), label=name)
                if value is MISSING:
                    payload.pop(name, None)
                else:
                    payload[name] = value
            sends = 2 if data.draw(st.booleans(), label="twice") else 1
            start = previous = checks.state(arena)
            for attempt in range(1, sends + 1):
                where = f"{actor} POST {target} (attempt {attempt})"
                response = client.post(target, data=_encoded(payload))
                status = checks.check_answer(client, response, where)
                current = checks.state(arena)
                if status == 200 and row.endpoint not in checks.WRITES_WHEN_REFUSED:
                    checks.refusal_changed_nothing(previous, current, where)
                previous = current
            if previous != start:
                checks.check_export(arena)

    attack()
