"""Scenario files: validation, suggestions, paths, settings, and the built-in library."""

import tomllib

import pytest

from scenarios.errors import ScenarioError
from scenarios.library import example_data, example_names, load_example
from scenarios.loading import apply_settings, load_scenario, scenario_from_dict, scenario_to_toml


def test_every_built_in_scenario_validates_and_round_trips_through_toml():
    names = example_names()
    assert names[0] == "default"
    assert {"default", "beijing", "shanghai", "chengdu", "urumqi", "greensboro", "miami"} <= set(names)
    for name in names:
        scenario = load_example(name)
        again = scenario_from_dict(tomllib.loads(scenario_to_toml(scenario)))
        assert again == scenario


def test_built_in_china_sites_use_their_regional_grid_and_provincial_tariff():
    expected = {
        "beijing": ("cn-north-2023", "cn-beijing-two-part", 1.25),
        "shanghai": ("cn-east-2023", "cn-shanghai-two-part", 1.25),
        "chengdu": ("cn-southwest-2023", "cn-sichuan-two-part", 1.25),
        "urumqi": ("cn-northwest-2023", "cn-xinjiang-two-part", 1.2),
    }
    for name, (factor, tariff, target) in expected.items():
        s = load_example(name)
        assert (s.grid.carbon.factor, s.grid.price.tariff, s.targets.pue) == (factor, tariff, target)
        assert {p.cooling for p in s.pods} == {"air", "cold_plate", "immersion"}
        assert all(10 <= p.rack_kw <= 50 for p in s.pods)


def test_unknown_key_names_the_field_and_suggests_the_nearest():
    data = example_data("default")
    data["pods"][1]["rak_kw"] = 30
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, file="hall.toml")
    text = str(err.value)
    assert text.startswith("hall.toml: pods[1].rak_kw") and "did you mean 'rack_kw'" in text


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["site"].update(timezone="Mars/Olympus"), "site.timezone: unknown time zone"),
        (lambda d: d["grid"]["price"].update(tariff="cn-atlantis"), "unknown tariff 'cn-atlantis'"),
        (lambda d: d["grid"]["carbon"].update(factor="moon"), "unknown factor 'moon'"),
        (lambda d: d["pods"][0].update(racks=0), "pods[0].racks"),
        (lambda d: d["pods"][0].update(cooling="evaporative_spray"), "pods[0].cooling"),
        (lambda d: d["pods"].append(dict(d["pods"][0])), "pod names must be unique"),
        (lambda d: d["horizon"].update(start="2023-07-01T00:30:00"), "on the hour"),
        (lambda d: d.pop("site"), "site: required field is missing"),
        (lambda d: d["grid"]["price"].update(source="file"), "needs file"),
    ],
)
def test_invalid_scenarios_are_explained(change, fragment):
    data = example_data("default")
    change(data)
    with pytest.raises(ScenarioError, match=None) as err:
        scenario_from_dict(data, file="x.toml")
    assert fragment in str(err.value)


def test_relative_paths_resolve_against_the_scenario_file(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    text = (
        example_text_with(climate="weather/site.epw", jobs="jobs.csv")
    )
    (folder / "s.toml").write_text(text, encoding="utf-8")
    scenario = load_scenario(folder / "s.toml")
    assert scenario.site.climate == str((folder / "weather" / "site.epw").resolve())
    assert scenario.workload.jobs == str((folder / "jobs.csv").resolve())


def example_text_with(climate: str, jobs: str) -> str:
    data = example_data("default")
    data["site"]["climate"] = climate
    data["workload"] = {"jobs": jobs}
    import tomli_w

    return tomli_w.dumps(data)


def test_toml_syntax_errors_give_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\n[site\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.toml: not valid TOML.*line 2"):
        load_scenario(path)


def test_settings_address_fields_by_dotted_keys_and_pod_names_or_indices():
    data = example_data("default")
    out = apply_settings(data, {"pods[0].rack_kw": 25, "pods.immersion-50kW.racks": 4, "grid.price.tariff": "cn-beijing-two-part"})
    assert out["pods"][0]["rack_kw"] == 25 and out["pods"][2]["racks"] == 4
    assert out["grid"]["price"]["tariff"] == "cn-beijing-two-part"
    assert data["pods"][0]["rack_kw"] == 20  # the original is untouched
    with pytest.raises(ScenarioError, match="no item named 'nope'"):
        apply_settings(data, {"pods.nope.racks": 1})
    with pytest.raises(ScenarioError, match="out of range"):
        apply_settings(data, {"pods[9].racks": 1})


def test_choice_lists_are_the_schemas_and_agree_with_the_physics():
    from scenarios.schema import WATER_CLASSES, Carbon, PodSpec, Price, choices
    from thermal.facility import COOLING_TECHNOLOGIES, ECONOMIZERS, parse_water_class

    assert choices(PodSpec, "cooling") == COOLING_TECHNOLOGIES
    assert choices(PodSpec, "economizer") == ECONOMIZERS
    assert choices(Price, "unit") == ("per_kwh", "per_mwh")  # optional: None left out
    assert choices(Carbon, "fill") == ("error", "interpolate", "ffill")
    assert [parse_water_class(w) for w in WATER_CLASSES] == [17, 27, 32, 40, 45]
    with pytest.raises(TypeError, match="not a Literal field"):
        choices(PodSpec, "racks")


def _bounded_fields(model, prefix=""):
    """(dotted key, upper bound) of every number field with an upper bound, tuples' items
    included, recursively through the scenario's tables."""
    import typing

    import annotated_types
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

    def uppers(metadata):
        for item in metadata:
            for c in item.metadata if isinstance(item, FieldInfo) else [item]:
                if isinstance(c, annotated_types.Le):
                    yield c.le
                elif isinstance(c, annotated_types.Lt):
                    yield c.lt

    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        for bound in uppers(info.metadata):
            yield key, bound
        for arg in typing.get_args(info.annotation):
            if typing.get_origin(arg) is typing.Annotated:
                for bound in uppers(typing.get_args(arg)[1:]):
                    yield key, bound
        for cand in (info.annotation, *typing.get_args(info.annotation)):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                listed = typing.get_origin(info.annotation) is list
                yield from _bounded_fields(cand, f"{key}{'[]' if listed else ''}.")


def test_the_scenario_reference_gives_every_upper_bound_of_the_schema():
    from pathlib import Path

    from scenarios.loading import _number_text
    from scenarios.schema import Scenario

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    doc = doc.split("## Fleet files")[0]  # the fleet's table reuses some keys
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in doc.splitlines() if line.startswith("| `")}
    checked = 0
    for key, bound in _bounded_fields(Scenario):
        row = rows[f"`{key}`"]
        assert _number_text(bound) in row, (key, bound, row)
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize(
    ("change", "field", "valid"),
    [
        (lambda d: d["pods"][0].update(rack_kw=float("inf")), "pods[0].rack_kw", "0 < value <= 500"),
        (lambda d: d["pods"][0].update(racks=10**9), "pods[0].racks", "1 <= value <= 100,000"),
        (lambda d: d["workload"]["generator"].update(power_kw=[1, float("nan")]),
         "workload.generator.power_kw[1]", "0 <= value <= 100,000"),
        (lambda d: d["workload"]["generator"].update(seed=-1), "workload.generator.seed",
         "0 <= value <= 9,223,372,036,854,775,807"),
        (lambda d: d["grid"]["price"].update(base_per_kwh=-1e4), "grid.price.base_per_kwh",
         "-1,000 <= value <= 1,000"),
        (lambda d: d["targets"].update(pue=float("nan")), "targets.pue", "1 < value <= 3"),
        (lambda d: d.update(solver={"rel_gap": float("inf")}), "solver.rel_gap", "0 <= value < 1"),
    ],
)
def test_numbers_out_of_range_nan_or_infinite_give_the_valid_range(change, field, valid):
    data = example_data("default")
    change(data)
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, file="x.toml")
    assert f"x.toml: {field}: " in str(err.value) and f"(valid: {valid})" in str(err.value)


@pytest.mark.parametrize(
    ("start", "ok"),
    [("1899-12-31T23:00:00", False), ("1900-01-01T00:00:00", True),
     ("2200-12-31T00:00:00", True), ("2201-01-01T00:00:00", False)],
)
def test_horizon_start_years_are_bounded(start, ok):
    data = example_data("default")
    data["horizon"]["start"] = start
    if ok:
        scenario_from_dict(data)
    else:
        with pytest.raises(ScenarioError, match=r"horizon.start: start must lie in the years 1900..2200"):
            scenario_from_dict(data)


def test_solver_step_may_not_exceed_the_window():
    data = example_data("default")
    data["solver"] = {"window_h": 48, "step_h": 49}
    with pytest.raises(ScenarioError, match=r"step_h \(49\) must not exceed window_h \(48\)"):
        scenario_from_dict(data)
    data["solver"] = {"window_h": 48, "step_h": 48}
    assert scenario_from_dict(data).solver.step_h == 48


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "the key is empty"),
        ("a..b", "a part between dots is empty"),
        (".a", "a part between dots is empty"),
        ("pods[x].rack_kw", "'pods[x]' is not NAME or NAME[INDEX]"),
        ("pods[-1].rack_kw", "'pods[-1]' is not NAME or NAME[INDEX]"),
        ("pods[0", "'pods[0' is not NAME or NAME[INDEX]"),
        ("pods[]", "'pods[]' is not NAME or NAME[INDEX]"),
        ("pods[0][1].x", "'pods[0][1]' is not NAME or NAME[INDEX]"),
        ("pods[0]", "the key names a whole list item"),
        ("site.name.sub", "site.name is not a table"),
        ("name[0].x", "name is not a table or list"),
        ("site[0].x", "site is a table, not a list"),
        ("nothing[0].x", "the scenario has no list nothing"),
    ],
)
def test_malformed_settings_keys_name_the_key_and_the_valid_forms(key, problem):
    with pytest.raises(ScenarioError) as err:
        apply_settings(example_data("default"), {key: 5}, file="s.toml")
    text = str(err.value)
    assert text.startswith(f"s.toml: --set {key}: {problem}")
    assert "pods[0].rack_kw" in text and "pods.NAME.rack_kw" in text


def test_settings_create_missing_tables_and_keep_list_forms_working():
    data = example_data("default")
    out = apply_settings(data, {"grid.market.renewable_share": 0.4, "pods.air-20kW.inference.utilisation": 0.5})
    assert out["grid"]["market"] == {"renewable_share": 0.4}
    assert out["pods"][0]["inference"] == {"utilisation": 0.5}
    assert scenario_from_dict(out).grid.market.renewable_share == 0.4


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"a = " + b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b"[facility]\nx = " + b"{a=" * 20 + b"1" + b"}" * 20, "facility.x.a.a"),
        (b"name = 'x'\n\x00", "binary"),
        ("name = 'Shanghaï'".encode("latin-1"), "not a UTF-8 text file"),
        (b"# only a comment\n", "the file is empty"),
        (b"x" * 1_000_001, "larger than 1 MB"),
    ],
)
def test_unusable_scenario_files_are_named(tmp_path, content, fragment):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}: ") and fragment in str(err.value)


def test_a_folder_named_like_a_scenario_is_not_a_scenario(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_scenario(tmp_path / "dir.toml")


def test_a_utf8_scenario_with_a_byte_order_mark_loads(tmp_path):
    from scenarios.library import example_text

    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + example_text("default").encode("utf-8"))
    assert load_scenario(path).name == "default"


# ---------------------------------------------------------------- assets (issue 15)


def _with_assets(**sections) -> dict:
    data = example_data("default")
    data.update(sections)
    return data


@pytest.mark.parametrize(
    ("sections", "fragment"),
    [
        ({"storage": {"battery": {"energy_kwh": -1, "power_kw": 1}}},
         "storage.battery.energy_kwh: Input should be greater than or equal to 0 "
         "(valid: 0 <= value <= 100,000,000)"),
        ({"storage": {"battery": {"energy_kwh": 1}}}, "storage.battery.power_kw: required"),
        ({"storage": {"battery": {"energy_kwh": 1, "power_kw": 1, "round_trip_efficiency": 0}}},
         "storage.battery.round_trip_efficiency: Input should be greater than 0"),
        ({"storage": {"battery": {"energy_kwh": 1, "power_kw": 1, "min_soc": 0.8, "max_soc": 0.2}}},
         "storage.battery: min_soc (0.8) must not exceed max_soc (0.2)"),
        ({"storage": {"battery": {"energy_kwh": 1, "power_kw": 1, "min_soc": 0.6, "initial_soc": 0.5}}},
         "storage.battery: min_soc (0.6) must not exceed initial_soc (0.5)"),
        ({"storage": {"battery": {"energy_kw": 1, "power_kw": 1}}},
         "storage.battery.energy_kw: unknown key; did you mean 'energy_kwh'?"),
        ({"storage": {"cold": {"capacity_kwh_th": 1, "power_kw_th": 1, "pods": ["nope", "air-20kW"]}}},
         "storage.cold.pods names unknown pod(s) 'nope'; pods are 'air-20kW'"),
        ({"storage": {"cold": {"capacity_kwh_th": 1, "power_kw_th": 1,
                               "pods": ["air-20kW", "air-20kW"]}}},
         "storage.cold.pods: names 'air-20kW' more than once; list each pod once"),
        ({"storage": {"cold": {"capacity_kwh_th": 1, "power_kw_th": 1, "kind": "slurry"}}},
         "storage.cold.kind: Input should be 'chilled_water' or 'ice'"),
        ({"storage": {"cold": {"capacity_kwh_th": 1, "power_kw_th": 1, "standing_loss_per_h": 0.9}}},
         "storage.cold.standing_loss_per_h: Input should be less than or equal to 0.5"),
        ({"storage": {"cold": {"capacity_kwh": 1, "power_kw_th": 1}}},
         "storage.cold.capacity_kwh: unknown key; did you mean 'capacity_kwh_th'?"),
        ({"onsite": {"pv": {}}}, "onsite.pv: kwp is required (or give csv, a generation file)"),
        ({"onsite": {"pv": {"csv": "pv.csv", "kwp": 5, "tilt_deg": 20}}},
         "onsite.pv: csv replaces the PV model: remove kwp, tilt_deg (or csv)"),
        ({"onsite": {"pv": {"kwp": 5, "timestamps": "utc"}}},
         "onsite.pv: timestamps is read only with csv"),
        ({"onsite": {"pv": {"kwp": 5, "tilt_deg": 95}}},
         "onsite.pv.tilt_deg: Input should be less than or equal to 90 (valid: 0 <= value <= 90)"),
        ({"onsite": {"wind": {"hub_height_m": 100}}},
         "onsite.wind: give turbine (a windpowerlib type) or power_curve, exactly one"),
        ({"onsite": {"wind": {"turbine": "E-126/4200"}}},
         "onsite.wind: hub_height_m is required with a turbine or power curve"),
        ({"onsite": {"wind": {"turbine": "E-126/4200", "hub_height_m": 100, "count": 1.5}}},
         "onsite.wind.count"),
        ({"onsite": {"wind": {"power_curve": {"wind_speed_m_s": [3, 3, 12], "power_kw": [0, 1, 2]},
                              "hub_height_m": 100}}},
         "onsite.wind.power_curve: wind_speed_m_s must be strictly increasing"),
        ({"onsite": {"wind": {"power_curve": {"wind_speed_m_s": [3, 12], "power_kw": [0]},
                              "hub_height_m": 100}}},
         "onsite.wind.power_curve.power_kw: List should have at least 2 items"),
        ({"onsite": {"wind": {"power_curve": {"wind_speed_m_s": [3, 80], "power_kw": [0, 1]},
                              "hub_height_m": 100}}},
         "onsite.wind.power_curve.wind_speed_m_s[1]: Input should be less than or equal to 75"),
        ({"onsite": {"wind": {"csv": "w.csv", "count": 2}}},
         "onsite.wind: csv replaces the wind model: remove count (or csv)"),
        ({"onsite": {"pv": {"kwp": 100}, "export": True}},
         "onsite: export = true needs its price: export_price_per_kwh (a fixed price) or "
         "export_price_share"),
        ({"onsite": {"pv": {"kwp": 100}, "export": True, "export_price_per_kwh": 0.3,
                     "export_price_share": 0.5}},
         "export = true takes one export price: export_price_per_kwh (a fixed price) or "
         "export_price_share (a share of each hour's import price), not both"),
        ({"onsite": {"export": True, "export_price_per_kwh": 0.3}},
         "onsite: export = true needs on-site generation to export: add [onsite.pv] or "
         "[onsite.wind]"),
        ({"onsite": {"export_price_per_kwh": 0.3}},
         "onsite: export_price_per_kwh is used only with export = true"),
        ({"onsite": {"export": True, "export_price_share": 1.5}},
         "onsite.export_price_share: Input should be less than or equal to 1"),
    ],
)
def test_asset_sections_errors_name_the_field(sections, fragment):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(_with_assets(**sections), file="x.toml")
    assert str(err.value).startswith("x.toml: ") and fragment in str(err.value), str(err.value)


def test_asset_sections_round_trip_and_a_scenario_without_them_writes_none():
    data = _with_assets(
        storage={"battery": {"energy_kwh": 4000, "power_kw": 1000, "degradation_cost_per_kwh": 0.1},
                 "cold": {"capacity_kwh_th": 8000, "power_kw_th": 2000, "kind": "ice",
                          "pods": ["air-20kW"]}},
        onsite={"pv": {"kwp": 2000, "tilt_deg": 25}, "export": True, "export_price_share": 0.4,
                "wind": {"power_curve": {"wind_speed_m_s": [3, 12, 25], "power_kw": [0, 2000, 2000]},
                         "hub_height_m": 100, "count": 3}},
    )
    scenario = scenario_from_dict(data)
    again = scenario_from_dict(tomllib.loads(scenario_to_toml(scenario)))
    assert again == scenario
    assert scenario.storage.battery.round_trip_efficiency is None  # the optimizer's default
    plain = scenario_to_toml(load_example("default"))
    assert "storage" not in plain and "onsite" not in plain


def test_generation_files_are_path_fields_resolved_against_the_scenario(tmp_path):
    import tomli_w

    from scenarios.loading import PATH_FIELDS

    assert {"onsite.pv.csv", "onsite.wind.csv"} <= set(PATH_FIELDS)
    data = _with_assets(onsite={"pv": {"csv": "gen/pv.csv"}, "wind": {"csv": "wind.csv"}})
    (tmp_path / "s.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    scenario = load_scenario(tmp_path / "s.toml")
    assert scenario.onsite.pv.csv == str((tmp_path / "gen" / "pv.csv").resolve())
    assert scenario.onsite.wind.csv == str((tmp_path / "wind.csv").resolve())


def test_asset_choice_lists_agree_with_the_physics():
    from scenarios.schema import ColdStorageSpec, choices
    from thermal.cold_storage import KINDS, LOOPS

    assert choices(ColdStorageSpec, "kind") == KINDS
    assert choices(ColdStorageSpec, "loop") == LOOPS


def test_built_in_asset_cases_are_chinese_sites_with_their_assets():
    from scenarios.tariffs import get_tariff

    solar = load_example("urumqi-solar-cold")
    assert solar.site.timezone == "Asia/Shanghai"
    assert solar.storage.cold.capacity_kwh_th > 0 and solar.onsite.pv.kwp > 0
    battery = load_example("beijing-battery")
    assert battery.storage.battery.energy_kwh > 0 and battery.storage.battery.power_kw > 0
    assert get_tariff(battery.grid.price.tariff).demand_charge_per_kw_month > 0  # two-part


# ------------------------------------------------------- heat reuse (issue 15, item 5)

_NETWORK = {"demand": "all", "supply_c": 55, "price_per_kwh_th": 0.2}


@pytest.mark.parametrize(
    ("heat", "fragment"),
    [
        ({"liquid_share": 0.5, "supply_c": 60},
         "heat_reuse: supply_c describes a heat network and needs demand ('csv', "
         "'heating_season' or 'all'), with supply_c and price_per_kwh_th"),
        ({"price_per_kwh_th": 0.3}, "heat_reuse: price_per_kwh_th describes a heat network"),
        ({"peak_kw_th": 100}, "heat_reuse: peak_kw_th describes a heat network"),
        ({"demand": "all"}, "heat_reuse: demand = 'all' needs supply_c and price_per_kwh_th"),
        ({"demand": "all", "supply_c": 55}, "needs price_per_kwh_th (network supply"),
        ({**_NETWORK, "demand": "csv"}, "heat_reuse: demand = 'csv' needs csv"),
        ({**_NETWORK, "demand": "heating_season"},
         "heat_reuse: demand = 'heating_season' needs peak_kw_th"),
        ({**_NETWORK, "csv": "heat.csv"}, "heat_reuse: csv is not used with demand = 'all'"),
        ({**_NETWORK, "demand": "csv", "csv": "h.csv", "peak_kw_th": 5},
         "heat_reuse: peak_kw_th is not used with demand = 'csv'"),
        ({**_NETWORK, "demand": "district"}, "heat_reuse.demand: Input should be 'csv', "
                                             "'heating_season' or 'all'"),
        ({**_NETWORK, "supply_c": 130}, "heat_reuse.supply_c: Input should be less than or "
                                        "equal to 120 (valid: 10 <= value <= 120)"),
        ({**_NETWORK, "price_per_kwh_th": 0}, "heat_reuse.price_per_kwh_th: Input should be "
                                              "greater than 0"),
        ({**_NETWORK, "carnot_efficiency": 1.2}, "heat_reuse.carnot_efficiency"),
        ({**_NETWORK, "demand": "heating_season", "peak_kw_th": 10, "season_start": "11/15"},
         "heat_reuse.season_start: '11/15' is not a month and day: write MM-DD, e.g. 06-01"),
        ({**_NETWORK, "suply_c": 45}, "heat_reuse.suply_c: unknown key; did you mean 'supply_c'?"),
        ({**_NETWORK, "zzzzzz": 45}, "heat_reuse.zzzzzz: unknown key. Valid keys here: "),
    ],
)
def test_heat_reuse_errors_name_the_field(heat, fragment):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(_with_assets(heat_reuse=heat), file="x.toml")
    assert str(err.value).startswith("x.toml: ") and fragment in str(err.value), str(err.value)


def test_heat_reuse_forms_and_round_trip():
    from scenarios.heat_reuse import heat_params
    from thermal.heat_reuse import HeatReuseParams

    old = scenario_from_dict(_with_assets(heat_reuse={"liquid_share": 0.5}))
    assert old.heat_reuse.declared and not old.heat_reuse.modelled
    none = load_example("default").heat_reuse
    assert not none.declared and not none.modelled
    # a scenario.toml written before heat reuse was modelled (shares 0.0) still means none
    zero = scenario_from_dict(_with_assets(heat_reuse={"liquid_share": 0.0, "air_share": 0.0}))
    assert not zero.heat_reuse.declared and not zero.heat_reuse.modelled
    heat = {**_NETWORK, "demand": "heating_season", "peak_kw_th": 3000, "season_end": "03-31",
            "carnot_efficiency": 0.5, "capacity_kw_th": 2000}
    scenario = scenario_from_dict(_with_assets(heat_reuse=heat))
    assert scenario.heat_reuse.modelled
    again = scenario_from_dict(tomllib.loads(scenario_to_toml(scenario)))
    assert again == scenario
    params = heat_params(scenario.heat_reuse)
    assert (params.supply_c, params.carnot_efficiency, params.capacity_kw_th) == (55, 0.5, 2000)
    assert params.max_cop == HeatReuseParams().max_cop  # left out: the physics' default


def test_the_heat_demand_file_is_a_path_field_resolved_against_the_scenario(tmp_path):
    import tomli_w

    from scenarios.loading import PATH_FIELDS

    assert "heat_reuse.csv" in PATH_FIELDS
    data = _with_assets(heat_reuse={**_NETWORK, "demand": "csv", "csv": "net/heat.csv"})
    (tmp_path / "s.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    scenario = load_scenario(tmp_path / "s.toml")
    assert scenario.heat_reuse.csv == str((tmp_path / "net" / "heat.csv").resolve())


def _schema_models():
    from pydantic import BaseModel

    from scenarios import fleet_schema, schema

    seen = {}
    for module in (schema, fleet_schema):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, schema._Model) \
                    and value is not schema._Model:
                seen[value.__name__] = value
    assert len(seen) > 20 and all(issubclass(m, BaseModel) for m in seen.values())
    return sorted(seen.items())


def test_every_number_and_flag_field_refuses_text_and_the_other_kind():
    """The whole schema, field by field: a quoted number, or true where a size goes, is
    refused for that field (pydantic alone would read "4000" as 4000 and true as 1)."""
    from pydantic import ValidationError

    from scenarios.schema import _written_kind

    checked = 0
    for name, model in _schema_models():
        for field, info in model.model_fields.items():
            kind = _written_kind(info.annotation)
            if kind is None:
                continue
            what, many = kind
            for bad in (("4000", True) if what == "number" else ("true", 1)):
                value = [bad, bad] if many else bad
                with pytest.raises(ValidationError) as err:
                    model.model_validate({field: value})
                said = [e["msg"] for e in err.value.errors() if e["loc"][:1] == (field,)]
                assert said and ("must be a number" in said[0] or "true or false" in said[0]), \
                    (name, field, bad, said)
                checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d.update(storage={"battery": {"energy_kwh": "4000", "power_kw": 1000}}),
         "storage.battery.energy_kwh: must be a number, not the text '4000'; "
         "write it without quotes"),
        (lambda d: d.update(storage={"battery": {"energy_kwh": True, "power_kw": 1000}}),
         "storage.battery.energy_kwh: must be a number, not true"),
        (lambda d: d["horizon"].update(hours="168"), "horizon.hours: must be a "
         "number, not the text '168'"),
        (lambda d: d["workload"]["generator"].update(duration_h=[4, "24"]),
         "workload.generator.duration_h: must be a number, not the text '24'"),
    ],
)
def test_a_quoted_number_or_a_flag_for_a_size_names_the_field(change, fragment):
    data = example_data("default")
    change(data)
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, file="x.toml")
    assert fragment in str(err.value), str(err.value)
