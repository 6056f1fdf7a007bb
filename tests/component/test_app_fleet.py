"""The app's Fleet page: its pure helpers (the map's points, arcs, view and layers, the
site and flow tables, the saving by lever) on a hand-made fleet and on a real small fleet
run, the same from the run itself and from its run directory; the rule that an uploaded
fleet reads no file but this session's uploads; and the page through AppTest (an upload,
a run, its tables, errors as messages, the result kept across pages)."""

from __future__ import annotations

import json
import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from scenarios.errors import ScenarioError
from scenarios.fleet import fleet_from_dict, fleet_text, run_fleet
from scenarios.fleet_store import read_fleet_run, write_fleet_run
from tests.helpers import fresh_app
from ui import fleet_map, fleet_views
from ui.fleet_views import FleetView

# --------------------------------------------------------------------------- by hand


def _view() -> FleetView:
    """Two homes in the east, one western site; 30 MWh moved east -> west, 10 MWh the
    other way round, 5 MWh at home."""
    sites = pd.DataFrame(
        {"scenario": ["hub-beijing", "hub-shanghai", "urumqi"],
         "location": ["Beijing", "Shanghai", "Urumqi"],
         "latitude": [39.8, 31.4, 43.78], "longitude": [116.47, 121.45, 87.65],
         "jobs": [1, 1, 4], "compute_mwh": [5.0, 10.0, 30.0],
         "pue": [1.15, 1.3, 1.10], "pue_target": [1.25, 1.25, None],
         "pue_target_met": [True, False, None], "facility_energy_mwh": [100.0, 90.0, 80.0],
         "carbon_location_t": [50.0, 40.0, 30.0], "total_cost": [1e5, 9e4, 4e4],
         "water_m3": [10.0, 20.0, 5.0]},
        index=["beijing", "shanghai", "urumqi"])
    flows = pd.DataFrame({
        "home": ["beijing", "beijing", "urumqi"], "site": ["beijing", "urumqi", "shanghai"],
        "jobs": [1, 4, 1], "compute_mwh": [5.0, 30.0, 10.0], "data_tb": [0.0, 12.0, 2.5],
        "moved": [False, True, True]})
    kpis = {"cost_saving_vs_asap": 100.0, "cost_saving_vs_asap_site": 70.0,
            "cost_saving_vs_asap_placement": 5.0, "cost_saving_vs_asap_timing": 20.0,
            "cost_saving_vs_asap_peak": 10.0, "cost_saving_vs_asap_other": -5.0,
            "carbon_saving_vs_asap_site_t": 3.0, "carbon_saving_vs_asap_placement_t": 0.0,
            "carbon_saving_vs_asap_timing_t": -1.0, "carbon_saving_vs_asap_other_t": 0.0}
    return FleetView("by hand", "CNY", sites, flows, kpis)


def test_the_map_draws_one_circle_per_site_with_area_by_compute():
    points = fleet_map.map_points(_view())
    assert list(points["site"]) == ["beijing", "shanghai", "urumqi"]
    low, high = fleet_map.RADIUS_PX
    # area in proportion to compute above the smallest circle: r = low + (high-low)*sqrt(share)
    # of the largest circle on the map (beijing's ring: 35 MWh of its jobs)
    share = ((points["radius_px"] - low) / (high - low)) ** 2
    assert share.to_numpy() == pytest.approx(points["compute_mwh"].to_numpy() / 35.0)
    assert points.loc[0, "label"] == "beijing\n5 MWh run · PUE 1.150"
    assert "ran 1 job," in points.loc[0, "tooltip"]


def test_the_map_rings_each_home_site_with_its_jobs_compute_on_the_same_scale():
    points = fleet_map.map_points(_view()).set_index("site")
    # beijing is home of 35 MWh (5 at home, 30 moved), urumqi of 10; shanghai of none
    assert list(points["home_mwh"]) == [35.0, 0.0, 10.0]
    low, high = fleet_map.RADIUS_PX
    assert points.loc["beijing", "home_radius_px"] == pytest.approx(high)  # the largest
    assert points.loc["shanghai", "home_radius_px"] == 0.0
    # one scale for discs and rings: urumqi's 30 MWh run against beijing's 35 at home
    assert points.loc["urumqi", "radius_px"] == pytest.approx(
        low + (high - low) * math.sqrt(30 / 35))
    assert points.loc["beijing", "offset"] == [0.0, pytest.approx(high + 6)]  # below the ring
    assert points.loc["beijing", "home_tooltip"] == (
        "beijing: home of 5 jobs, 35.0 MWh of compute")


def test_the_map_draws_an_arc_per_moved_pair_from_home_to_site():
    arcs = fleet_map.map_arcs(_view())
    assert list(zip(arcs["home"], arcs["site"], strict=True)) == [("beijing", "urumqi"),
                                                                  ("urumqi", "shanghai")]
    first = arcs.iloc[0]
    assert (first["from_lon"], first["from_lat"]) == (116.47, 39.8)
    assert (first["to_lon"], first["to_lat"]) == (87.65, 43.78)
    assert first["width_px"] == pytest.approx(fleet_map.WIDTH_PX[1])  # 30 MWh, the largest
    low, high = fleet_map.WIDTH_PX
    assert arcs.iloc[1]["width_px"] == pytest.approx(low + (high - low) * 10 / 30)
    assert first["tooltip"] == "beijing → urumqi: 4 jobs, 30.0 MWh of compute, 12.0 TB of data"


def test_no_arc_without_moved_work_and_none_to_an_unknown_site():
    view = _view()
    view.flows = pd.DataFrame({"home": ["beijing", "beijing"], "site": ["beijing", "mars"],
                               "jobs": [1, 1], "compute_mwh": [5.0, 1.0],
                               "data_tb": [0.0, 1.0], "moved": [False, True]})
    assert fleet_map.map_arcs(view).empty


def _pixel(lat, lon, state, width=fleet_map.MAP_WIDTH_PX, height=fleet_map.MAP_HEIGHT_PX):
    """Web Mercator pixel of (lat, lon) relative to the map's centre."""
    scale = fleet_map.WORLD_PX * 2 ** state["zoom"]
    x = (lon - state["longitude"]) / 360 * scale

    def y(v):
        return math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) / (2 * math.pi) * scale

    return x, y(lat) - y(state["latitude"])


def test_the_view_fits_every_site_inside_the_map():
    view = _view()
    state = fleet_map.view_state(view.sites["latitude"], view.sites["longitude"])
    fill = fleet_map.FILL
    xs, ys = zip(*(_pixel(lat, lon, state) for lat, lon in
                   zip(view.sites["latitude"], view.sites["longitude"], strict=True)),
                 strict=True)
    assert max(abs(v) for v in xs) <= fleet_map.MAP_WIDTH_PX * fill / 2 + 1
    assert max(abs(v) for v in ys) <= fleet_map.MAP_HEIGHT_PX * fill / 2 + 1
    # and the wider side fills it: the zoom is not smaller than needed
    assert (max(xs) - min(xs)) == pytest.approx(fleet_map.MAP_WIDTH_PX * fill, rel=0.02) or \
        (max(ys) - min(ys)) == pytest.approx(fleet_map.MAP_HEIGHT_PX * fill, rel=0.02)
    one = fleet_map.view_state([30.0], [104.0])  # one site: centred, zoom capped
    assert (one["latitude"], one["longitude"], one["zoom"]) == (pytest.approx(30.0), 104.0,
                                                                fleet_map.MAX_ZOOM)


def test_the_graticule_surrounds_the_sites_with_labels_in_view():
    lines, labels = fleet_map.graticule([39.8, 31.4, 43.78], [116.47, 121.45, 87.65])
    lats = sorted({p[0][1] for p in lines["path"] if p[0][1] == p[1][1]})
    lons = sorted({p[0][0] for p in lines["path"] if p[0][0] == p[1][0]})
    assert lats == [30.0, 40.0] and lons == [80.0, 90.0, 100.0, 110.0, 120.0, 130.0]
    assert list(labels["text"]) == ["30°N", "40°N", "80°E", "90°E", "100°E", "110°E",
                                    "120°E", "130°E"]
    # parallels labelled on the last meridian west of every site (above the line),
    # meridians on the last parallel south of every site (below it)
    north = labels["text"].str.endswith("N")
    assert set(labels.loc[north, "lon"]) == {80.0}
    assert set(labels.loc[~north, "lat"]) == {30.0}
    assert {o[1] for o in labels.loc[north, "offset"]} == {-2.0}
    assert {o[1] for o in labels.loc[~north, "offset"]} == {15.0}


def test_the_deck_has_no_basemap_and_pixel_sizes():
    deck = json.loads(fleet_map.fleet_deck(_view()).to_json())
    assert deck.get("mapStyle") in (None, "") and deck.get("mapProvider") in (None, "")
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert list(layers) == ["graticule", "graticule-labels", "flows", "sites", "homes",
                            "site-labels"]
    # literal strings, not expressions (pydeck reads an unquoted string as code)
    assert layers["graticule"]["widthUnits"] == "pixels"
    assert layers["flows"]["widthUnits"] == "pixels"
    assert layers["sites"]["radiusUnits"] == layers["homes"]["radiusUnits"] == "pixels"
    assert [row["site"] for row in layers["homes"]["data"]] == ["beijing", "urumqi"]
    assert layers["homes"]["data"][0]["tooltip"].startswith("beijing: home of")
    for name in ("graticule-labels", "site-labels"):
        assert layers[name]["characterSet"] == "auto"
        assert not layers[name]["fontFamily"].startswith("@@=")
    assert len(layers["sites"]["data"]) == 3 and len(layers["flows"]["data"]) == 2
    assert deck["views"][0]["@@type"] == "MapView"


def test_tables_say_the_target_and_where_data_moved():
    view = _view()
    table = fleet_views.site_table(view)
    assert list(table["PUE against target"]) == ["met (1.150 ≤ 1.25)", "MISSED (1.300 > 1.25)",
                                                 "no target"]
    assert list(table.columns)[-1] == "water [m³]" and "cost [CNY]" in table.columns
    flows = fleet_views.flow_table(view)
    assert list(flows["home"]) == ["beijing", "urumqi", "beijing"]  # moved, largest first
    assert list(flows["data moved [TB]"]) == ["12.0", "2.5", "at home"]


def test_the_saving_by_lever_adds_up():
    levers = fleet_views.lever_frame(_view().kpis)
    assert list(levers.index) == list(fleet_views.LEVERS.values())
    assert levers["cost_saving"].sum() == pytest.approx(100.0)
    assert levers.loc["lower peak (demand charge)", "carbon_saving_t"] == 0.0
    assert fleet_views.lever_frame({"cost_saving_vs_asap_site": None}).empty
    fig = fleet_map.lever_chart(levers, "CNY")
    assert list(fig.data[0].marker.color).count("#E45756") == 1  # the one negative part


# --------------------------------------------------------------------------- uploads


def _small_fleet_data() -> dict:
    """east-west cut to three sites, six jobs from Beijing, two days (~5 s to run)."""
    data = tomllib.loads(fleet_text("east-west"))
    data["sites"] = [s for s in data["sites"] if s["name"] in ("beijing", "chengdu", "urumqi")]
    data["workload"]["generator"].update(count=6, homes=["beijing"], duration_h=[2, 6],
                                         slack_h=[6, 24])
    data["horizon"]["hours"] = 48
    return data


def test_an_uploaded_fleet_may_name_built_in_sites_only(tmp_path):
    data = _small_fleet_data()
    assert len(fleet_views.checked_fleet(data, "mine.toml", tmp_path).sites) == 3
    secret = tmp_path / "site.toml"
    secret.write_text("this is not read")
    data["sites"][1]["scenario"] = str(secret)
    with pytest.raises(ScenarioError, match=r"sites\[1\]\.scenario.*not a built-in scenario"):
        fleet_views.checked_fleet(data, "mine.toml", tmp_path)
    ready = fleet_views.fleet_ready_builtins()
    assert {"hub-beijing", "hub-shanghai", "hub-chengdu", "urumqi"} <= set(ready)
    assert "urumqi-solar-cold" not in ready and "beijing-battery" not in ready  # assets
    with pytest.raises(ScenarioError, match="hub-chengdu, hub-shanghai") as caught:
        fleet_views.checked_fleet(data, "mine.toml", tmp_path)
    assert "urumqi-solar-cold" not in str(caught.value)
    single = tomllib.loads(fleet_text("east-west"))
    single.pop("sites")
    with pytest.raises(ScenarioError, match="not a fleet"):
        fleet_views.checked_fleet(single, "mine.toml", tmp_path)


def test_an_uploaded_fleet_s_jobs_file_must_be_uploaded_with_it(tmp_path):
    from ui.uploads import attach_files

    data = _small_fleet_data()
    data["workload"] = {"jobs": "/etc/passwd"}
    with pytest.raises(ScenarioError, match=r"not uploaded with it: passwd \(workload\.jobs\)"):
        attach_files(data, {}, "mine.toml")
    with pytest.raises(ScenarioError, match=r"workload\.jobs.*not uploaded"):
        fleet_views.checked_fleet(data, "mine.toml", tmp_path)  # never opened
    data["workload"] = {"jobs": "data/jobs.csv"}
    from ui.uploads import save_upload

    saved = save_upload("jobs.csv", b"job_id,release\n", tmp_path)
    attached = attach_files(data, {"jobs.csv": saved}, "mine.toml")
    assert attached["workload"]["jobs"] == str(saved)
    assert data["workload"]["jobs"] == "data/jobs.csv"  # the upload's data untouched
    assert fleet_views.checked_fleet(attached, "mine.toml", tmp_path).workload.jobs == str(saved)


# --------------------------------------------------------------------------- a real run


@pytest.fixture(scope="module")
def small_run():
    fleet = fleet_from_dict(_small_fleet_data(), file="small")
    return run_fleet(fleet, None, time_limit_s=3)


def test_a_run_and_its_run_directory_give_the_same_view(small_run, tmp_path):
    view = fleet_views.result_view(small_run)
    stored = fleet_views.run_view(read_fleet_run(write_fleet_run(small_run, tmp_path / "run")))
    pd.testing.assert_frame_equal(view.flows, stored.flows, check_dtype=False)
    pd.testing.assert_frame_equal(view.sites, stored.sites, check_dtype=False)
    assert view.kpis["moved_jobs"] == stored.kpis["moved_jobs"]
    assert (view.name, view.currency) == (stored.name, stored.currency) == ("east-west", "CNY")


def test_the_view_of_a_run_adds_up(small_run):
    view = fleet_views.result_view(small_run)
    assert list(view.sites.index) == ["beijing", "chengdu", "urumqi"]
    for name, run in small_run.sites.items():
        assert view.sites.loc[name, "latitude"] == run.scenario.site.latitude
        assert view.sites.loc[name, "pue"] == run.kpis["pue"]
    # every job's compute is somewhere; moved compute is the fleet's moved energy
    jobs = small_run.jobs
    assert view.flows["jobs"].sum() == len(jobs)
    total_mwh = float((jobs["power_kw"] * jobs["duration_h"]).sum()) / 1000
    assert view.sites["compute_mwh"].sum() == pytest.approx(total_mwh, rel=1e-6)
    moved = view.flows[view.flows["moved"]]
    assert moved["compute_mwh"].sum() == pytest.approx(view.kpis["moved_energy_mwh"], rel=1e-6)
    assert moved["data_tb"].sum() == pytest.approx(view.kpis["moved_data_tb"], rel=1e-6)
    levers = fleet_views.lever_frame(view.kpis)
    assert levers["cost_saving"].sum() == pytest.approx(view.kpis["cost_saving_vs_asap"])
    arcs = fleet_map.map_arcs(view)
    assert len(arcs) == len(moved) and np.all(arcs["width_px"] > 0)


# --------------------------------------------------------------------------- the page


@pytest.fixture
def app():
    yield from fresh_app()


def _upload(app, files):
    app.radio(key="fleet_source").set_value("Upload a fleet TOML").run()
    app.file_uploader(key="fleet_upload").set_value(files).run()


def test_the_page_runs_an_uploaded_fleet_and_keeps_the_result(app):
    import tomli_w

    app.switch_page("ui/fleet.py").run()
    assert not app.exception and not app.error
    assert [n.label for n in app.number_input] == ["Solver time limit [s]",
                                                   "Carbon price [CNY/t]"]
    content = tomli_w.dumps(_small_fleet_data()).encode()
    _upload(app, [("small.toml", content, "application/toml")])
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert any("Loaded the uploaded fleet" in s.value for s in app.success)
    planned = app.dataframe[0].value
    assert list(planned["site"]) == ["beijing", "chengdu", "urumqi"]
    app.number_input(key=app.number_input[0].key).set_value(3.0).run()
    app.number_input(key=app.number_input[1].key).set_value(500.0).run()
    app.button(key="fleet_run").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    kept = app.session_state["fleet_result"]
    assert kept["carbon_price"] == 500.0 and kept["time_limit_s"] == 3.0
    # the planned sites, each site's KPIs, the flows
    assert len(app.dataframe) == 3
    sites = app.dataframe[1].value
    assert list(sites["site"]) == ["beijing", "chengdu", "urumqi"]
    flows = app.dataframe[2].value
    assert flows["jobs"].astype(int).sum() == 6
    labels = [m.label for m in app.metric]
    assert "Moved jobs" in labels and "Cost saving vs cheapest site" in labels
    # the sites' table says where the network is counted (its rows add up to the fleet)
    assert any("include its half of every data transfer" in c.value for c in app.caption)
    app.switch_page("ui/compare.py").run()
    app.switch_page("ui/fleet.py").run()
    assert app.session_state["fleet_result"] is kept
    assert app.dataframe[2].value.equals(flows)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["sites"][0].update(scenario="../../etc/site.toml"), "not a built-in scenario"),
    (lambda d: d.update(workload={"jobs": "/srv/jobs.csv"}), "were not uploaded with it"),
    (lambda d: d.pop("sites"), "not a fleet"),
    (lambda d: d["sites"].append(dict(d["sites"][0])), "site names must be unique"),
])
def test_a_bad_upload_is_one_message_and_the_page_stays(app, edit, message):
    import tomli_w

    app.switch_page("ui/fleet.py").run()
    data = _small_fleet_data()
    edit(data)
    _upload(app, [("bad.toml", tomli_w.dumps(data).encode(), "application/toml")])
    assert not app.exception
    text = "\n".join(e.value for e in app.error)
    assert message in text and "Cannot load the uploaded fleet" in text
    assert "fleet_uploaded" not in app.session_state
