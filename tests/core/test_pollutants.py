"""One pollutant definition: the catalog, accounting and the shipped YAML all agree with it."""

from __future__ import annotations

from dispatch.core import pollutants
from dispatch.core.accounting import IMPLEMENTATIONS, POLLUTANT_LABELS
from dispatch.core.catalog import POLLUTANT_NAMES_ZH, POLLUTANTS, get_catalog
from dispatch.core.catalog.schema import MEDIUM_POLLUTANTS


def test_catalog_and_accounting_read_the_one_definition():
    assert POLLUTANTS == pollutants.CODES == ("COD", "NH3N", "NOx", "VOCs")
    assert dict(MEDIUM_POLLUTANTS) == {"water": ("COD", "NH3N"), "air": ("NOx", "VOCs")}
    assert dict(POLLUTANT_NAMES_ZH) == {p.code: p.name_zh for p in pollutants.POLLUTANTS}
    assert dict(POLLUTANT_LABELS) == {p.code: p.label for p in pollutants.POLLUTANTS}


def test_labels_as_pages_show_them():
    shown = {p.code: (p.name_zh, p.label, p.header_zh) for p in pollutants.POLLUTANTS}
    assert shown == {
        "COD": ("化学需氧量（COD）", "COD", "COD"),
        "NH3N": ("氨氮", "NH3-N", "氨氮"),
        "NOx": ("氮氧化物", "NOx", "氮氧化物"),
        "VOCs": ("挥发性有机物", "VOCs", "VOCs"),
    }


def test_every_type_and_formula_names_known_pollutants_of_its_medium():
    catalog = get_catalog()
    for etype in catalog.types:
        assert set(etype.pollutants) <= set(pollutants.MEDIUM_CODES[etype.medium]), etype.code
    for key, implementation in IMPLEMENTATIONS.items():
        media = {pollutants.get(code).medium for code in implementation.pollutants}
        assert len(media) == 1, key
