"""The factories' credit codes never equal a fixed code a test uses as new."""

from __future__ import annotations

from dispatch.demo.orgs import demo_uscc
from models.orgs import is_valid_uscc
from tests.factories import factory_uscc


def test_factory_credit_codes_are_valid_and_apart_from_the_demo_codes():
    # Tests import demo_uscc(district, 901), (…, 987) and the like as enterprises that do
    # not exist yet, while the world of a long test process takes serials in the hundreds.
    made = [factory_uscc("990101", n) for n in range(1, 5001)]
    assert all(is_valid_uscc(code) for code in made)
    assert len(set(made)) == len(made)
    assert not set(made) & {demo_uscc("990101", index) for index in range(2000)}
