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
        (lambda d: d["pods"][0].update(cooling="spray"), "pods[0].cooling"),
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
