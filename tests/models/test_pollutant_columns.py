"""The projects table has one expected-reduction column per pollutant, and no other."""

from __future__ import annotations

from sqlalchemy import Numeric

from dispatch.core import pollutants
from models import POLLUTANT_COLUMNS, Project


def test_one_numeric_column_per_pollutant():
    columns = Project.__table__.columns
    expected = {c.name for c in columns if c.name.startswith("expected_")}
    assert expected == {p.column for p in pollutants.POLLUTANTS}
    assert {p.code: p.column for p in pollutants.POLLUTANTS} == POLLUTANT_COLUMNS
    for pollutant in pollutants.POLLUTANTS:
        assert isinstance(columns[pollutant.column].type, Numeric), pollutant.code
