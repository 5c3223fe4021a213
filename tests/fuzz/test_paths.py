"""Ids in URL paths beyond the database's integer range answer 404, never 500.

Werkzeug's ``int`` converter takes any run of ASCII digits; 2**31 overflows PostgreSQL's
``integer`` and 2**63 SQLite's. Every route of the access matrix with an id in its path
is asked for such ids, as an actor the matrix admits.
"""

from __future__ import annotations

from tests.access.matrix import MATRIX
from tests.conftest import csrf_token
from tests.fuzz.arena import Arena, allowed_actors

HUGE_IDS = (str(2**31), str(2**63), str(2**64), "9" * 30)
PLACEHOLDERS = (
    "{project}", "{cr}", "{user}", "{district_a}", "{enterprise_a}", "{round}", "{report}",
    "{evidence}",
)  # fmt: skip


def test_ids_beyond_the_integer_range_are_not_found(arena: Arena):
    rows = [r for r in MATRIX if any(p in r.path for p in PLACEHOLDERS)]
    clients = {}
    wrong = []
    for row in rows:
        actor = allowed_actors(row)[0]
        if actor not in clients:
            clients[actor] = arena.signed_in(actor)
        client = clients[actor]
        for huge in HUGE_IDS:
            path = row.path
            for placeholder in PLACEHOLDERS:
                path = path.replace(placeholder, huge)
            data = None
            if row.method == "POST":
                data = {"csrf_token": csrf_token(client, "/"), "reason": "理由", "version": "1"}
            with arena.isolated():
                response = client.open(path, method=row.method, data=data)
                response.close()
            if response.status_code != 404:
                wrong.append(f"{actor} {row.method} {path}: HTTP {response.status_code}")
    assert not wrong, "\n".join(wrong)
