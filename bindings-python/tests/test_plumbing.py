"""End-to-end checks of the build: the extension imports, converts values and maps errors."""

import math

import pytest

import leadrail


CHICAGO = {"lat": 41.8781, "lon": -87.6298}
NEW_YORK = (40.7128, -74.0060)


def test_version_is_the_crate_version():
    assert leadrail.__version__ == "0.1.0"


def test_haversine_accepts_mappings_and_pairs():
    d = leadrail.haversine_km(CHICAGO, NEW_YORK)
    assert d == pytest.approx(1144.29, abs=0.01)
    assert leadrail.haversine_km(NEW_YORK, CHICAGO) == d
    assert leadrail.haversine_km([0, 0], {"lat": 0, "lon": 0}) == 0.0


def test_haversine_matches_a_quarter_meridian():
    # pole to equator: a quarter of the circumference at radius 6371.0088 km
    d = leadrail.haversine_km((90, 0), (0, 0))
    assert d == pytest.approx(math.pi / 2 * 6371.0088, rel=1e-12)


def test_string_where_a_number_is_expected_is_a_data_error():
    with pytest.raises(leadrail.DataError) as info:
        leadrail.haversine_km({"lat": "north", "lon": 0}, NEW_YORK)
    e = info.value
    assert isinstance(e, leadrail.LeadrailError)
    assert e.code == "leadrail::data::invalid_field"
    assert e.record == "a"
    assert e.field == "lat"
    assert str(e) == "`lat` must be a number, not str"
    assert e.diagnostics == [
        {
            "code": "leadrail::data::invalid_field",
            "message": "`lat` must be a number, not str",
            "severity": "error",
            "line": 0,
            "column": 0,
            "record": "a",
            "field": "lat",
        }
    ]


@pytest.mark.parametrize(
    "point, code, field",
    [
        ({"lat": 1.0}, "leadrail::data::missing_field", "lon"),
        ({"lat": None, "lon": 1.0}, "leadrail::data::missing_field", "lat"),
        ({"lat": float("nan"), "lon": 1.0}, "leadrail::data::invalid_field", "lat"),
        ((1.0, float("inf")), "leadrail::data::invalid_field", "lon"),
        ((True, 1.0), "leadrail::data::invalid_field", "lat"),
        ((1.0, [2.0]), "leadrail::data::invalid_field", "lon"),
        ("41.9 -87.6", "leadrail::data::invalid_record", ""),
        ((1.0, 2.0, 3.0), "leadrail::data::invalid_record", ""),
        (None, "leadrail::data::invalid_record", ""),
        (42, "leadrail::data::invalid_record", ""),
    ],
)
def test_bad_points_raise_data_errors_naming_the_field(point, code, field):
    with pytest.raises(leadrail.DataError) as info:
        leadrail.haversine_km(NEW_YORK, point)
    assert info.value.code == code
    assert info.value.record == "b"
    assert info.value.field == field


def test_huge_integers_are_numbers_not_crashes():
    # 10**400 overflows a float: a clear error, not a crash
    with pytest.raises(leadrail.DataError) as info:
        leadrail.haversine_km((10**400, 0), (0, 0))
    assert info.value.field == "lat"


def test_exception_hierarchy():
    assert issubclass(leadrail.RuleError, leadrail.LeadrailError)
    assert issubclass(leadrail.DataError, leadrail.LeadrailError)
    assert issubclass(leadrail.LeadrailError, Exception)
    assert leadrail.LeadrailError.__module__ == "leadrail"


def test_error_codes_come_from_the_core_catalogue():
    codes = leadrail.error_codes()
    assert "leadrail::data::invalid_field" in codes
    assert "leadrail::parse::unexpected_token" in codes
    assert len(codes) == len(set(codes))
    assert all(c.startswith("leadrail::") for c in codes)


def test_package_ships_type_information():
    from importlib import resources

    files = resources.files("leadrail")
    assert files.joinpath("py.typed").is_file()
    assert files.joinpath("_leadrail.pyi").is_file()


def test_distances_take_any_iterable_and_match_single_calls():
    points = [NEW_YORK, {"lat": 51.5074, "lon": -0.1278}, (0, 0)]
    expected = [leadrail.haversine_km(CHICAGO, p) for p in points]
    assert leadrail.distances_km(CHICAGO, points) == expected
    assert leadrail.distances_km(CHICAGO, iter(points)) == expected
    assert leadrail.distances_km(CHICAGO, (p for p in points)) == expected
    assert leadrail.distances_km(CHICAGO, []) == []


def test_a_bad_item_in_a_batch_is_named_by_its_index():
    with pytest.raises(leadrail.DataError) as info:
        leadrail.distances_km(CHICAGO, [NEW_YORK, NEW_YORK, {"lat": 1, "lon": "x"}])
    assert info.value.record == "points[2]"
    assert info.value.field == "lon"


@pytest.mark.parametrize("points", ["abc", {"lat": 1, "lon": 2}, 5, None])
def test_a_wrong_container_is_a_data_error(points):
    with pytest.raises(leadrail.DataError) as info:
        leadrail.distances_km(CHICAGO, points)
    assert info.value.code == "leadrail::data::invalid_record"
    assert info.value.record == "points"


def test_errors_raised_while_iterating_propagate_unchanged():
    def gen():
        yield NEW_YORK
        raise KeyError("from the host")

    with pytest.raises(KeyError):
        leadrail.distances_km(CHICAGO, gen())


def test_threads_sharing_the_module_get_sequential_results():
    from concurrent.futures import ThreadPoolExecutor

    points = [(lat / 10, lon / 10) for lat in range(-900, 901, 7) for lon in range(-1800, 1801, 97)]
    expected = leadrail.distances_km(CHICAGO, points)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: leadrail.distances_km(CHICAGO, points), range(16)))
    assert all(r == expected for r in results)
