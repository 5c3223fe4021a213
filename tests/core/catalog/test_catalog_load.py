"""The shipped catalog: structure, lookups, stages, and data-only changes by a province."""

import dataclasses
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from dispatch.core.accounting import check_catalog, compute
from dispatch.core.catalog import (
    STAGES,
    CatalogError,
    default_catalog_dir,
    get_catalog,
    load_catalog,
)

FIXTURES = Path(__file__).parent / "fixtures"
CATALOG = get_catalog()
COMMON = ("G01", "G02", "G03", "G04", "G05", "G06", "G07", "G08")
EXPECTED = {
    "W1": ({"COD", "NH3N"}, ("plant_new",)),
    "W2": ({"COD", "NH3N"}, ("plant_upgrade",)),
    "W3": ({"COD", "NH3N"}, ("network",)),
    "W4": ({"COD", "NH3N"}, ("industrial_treatment", "closure", "reuse")),
    "W5": ({"COD", "NH3N"}, ("plant_new", "plant_upgrade")),
    "W6": ({"COD", "NH3N"}, ("livestock",)),
    "W7": ({"COD", "NH3N"}, ("rural_sewage",)),
    "A1": ({"NOx"}, ("flue_gas",)),
    "A2": ({"NOx"}, ("fuel_elimination", "flue_gas")),
    "A3": ({"NOx"}, ("flue_gas", "fuel_elimination")),
    "A4": ({"VOCs"}, ("voc_substitution",)),
    "A5": ({"VOCs"}, ("voc_treatment",)),
    "A6": ({"NOx", "VOCs"}, ("vehicle_retirement",)),
    "A7": ({"NOx", "VOCs"}, ("coal_substitution",)),
}


def test_the_14_types_in_order_with_their_pollutants_and_methods():
    assert [t.code for t in CATALOG.types] == list(EXPECTED)
    for engineering_type in CATALOG.types:
        pollutants, methods = EXPECTED[engineering_type.code]
        assert set(engineering_type.pollutants) == pollutants
        assert engineering_type.methods == methods
        assert engineering_type.medium == ("water" if engineering_type.code[0] == "W" else "air")


def test_every_type_has_a_defined_method_and_unique_items_with_real_conditions():
    for engineering_type in CATALOG.types:
        assert engineering_type.methods
        for key in engineering_type.methods:
            assert CATALOG.method(key).key == key
        codes = [item.code for item in engineering_type.evidence_items]
        assert len(codes) == len(set(codes)), engineering_type.code
        assert tuple(codes[: len(COMMON)]) == COMMON  # the common items reach every type
        for item in engineering_type.evidence_items:
            assert item.stage in STAGES
            assert item.requirement in ("required", "optional", "conditional")
            assert item.min_files >= 1 and item.formats
            if item.when is not None:
                assert set(item.when["method"]) <= set(engineering_type.methods)
            if item.requirement == "conditional":
                assert item.condition


def test_every_method_matches_its_formula_in_code():
    assert check_catalog(CATALOG) == []
    assert len(CATALOG.methods) == 14
    for method in CATALOG.methods.values():
        for param in method.params:
            for bound in (param.min, param.max):
                assert bound is None or isinstance(bound, Decimal)


def test_items_by_stage_and_method():
    w4 = CATALOG.type("W4")
    completion = [i.code for i in w4.items_for("completion", "closure")]
    assert completion == ["G05", "G06", "W4-03"]
    assert "W4-03" not in [i.code for i in w4.items_for("completion", "reuse")]
    operation = [i.code for i in w4.items_for("operation", "reuse")]
    assert operation == ["G07", "G08", "W4-01", "W4-02", "W4-04"]
    reached = [i.code for i in w4.items_up_to("construction", "closure")]
    assert reached == ["G01", "G02", "G03", "G04"]
    everything = w4.items_up_to("operation", None)
    assert len(everything) == len(w4.evidence_items)
    assert [i.stage for i in everything] == sorted((i.stage for i in everything), key=STAGES.index)
    a2 = CATALOG.type("A2")
    assert "A2-01" in [i.code for i in a2.items_for("completion", "fuel_elimination")]
    assert "A2-01" not in [i.code for i in a2.items_for("completion", "flue_gas")]
    with pytest.raises(CatalogError):
        w4.items_for("archive", None)


def test_unknown_codes_raise_a_catalog_error_that_is_also_a_key_error():
    with pytest.raises(CatalogError, match="ZZ"):
        CATALOG.type("ZZ")
    with pytest.raises(KeyError):
        CATALOG.method("teleport")


def test_objects_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATALOG.type("W1").name_zh = "x"
    with pytest.raises(TypeError):
        CATALOG.methods["x"] = None
    with pytest.raises(TypeError):
        CATALOG.type("W4").evidence_items[-1].when["method"] = ()


def test_minimal_fixture_catalog_and_its_defaults():
    catalog = load_catalog(FIXTURES / "minimal")
    (only,) = catalog.types
    assert only.code == "X1"
    assert [i.code for i in only.evidence_items] == ["G01", "X1-01"]
    assert only.evidence_items[1].formats == ("pdf", "zip")
    assert only.evidence_items[0].formats == ("pdf", "jpg", "png", "xlsx", "docx", "ofd")
    assert catalog.method("closure").param("days").default == Decimal(300)


def test_get_catalog_honours_the_environment(monkeypatch):
    monkeypatch.setenv("DISPATCH_CATALOG_DIR", str(FIXTURES / "minimal"))
    get_catalog.cache_clear()
    try:
        assert [t.code for t in get_catalog().types] == ["X1"]
    finally:
        monkeypatch.delenv("DISPATCH_CATALOG_DIR")
        get_catalog.cache_clear()
    assert default_catalog_dir().name == "evidence_specs"
    assert len(get_catalog().types) == 14


def test_a_province_adds_a_15th_type_and_renames_one_by_editing_data_only(tmp_path):
    directory = tmp_path / "specs"
    shutil.copytree(default_catalog_dir(), directory)
    for path in (FIXTURES / "province").iterdir():
        shutil.copy(path, directory / path.name)
    catalog = load_catalog(directory)
    assert len(catalog.types) == 15
    assert catalog.types[-1].code == "W8"
    assert catalog.type("W7").name_zh == "农村生活污水治理及资源化利用工程"
    w8 = catalog.type("W8")
    assert [i.code for i in w8.items_for("operation", "network")] == ["G07", "G08", "W8-02"]
    assert [i.code for i in w8.items_for("operation", "plant_upgrade")] == ["G07", "G08"]
    assert check_catalog(catalog) == []
    params = {"inflow_increase": "1000", "cod_in": "200", "cod_out": "20", "nh3n_in": "20",
              "nh3n_out": "2"}  # fmt: skip
    result = compute("network", params, catalog=catalog)
    assert result.reductions["COD"] == Decimal("65.700000")
