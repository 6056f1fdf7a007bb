"""Heat reuse over whole years: the ledger of every pod and hour, the limits of demand,
capacity and contract, which loops need a heat pump, and the scheduler's linear
coefficients against the exact model (``python -m tests.component.test_heat_reuse``
prints the docs table)."""

import numpy as np
import pytest

from tests.tolerances import ENERGY_BALANCE_RTOL, HEAT_REUSE_COP_RTOL, HEAT_REUSE_LINEAR_RTOL
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod
from thermal.heat_demand import heating_season_demand_kw_th, in_season
from thermal.heat_reuse import HeatReuseParams, energy_reuse_factor, heat_reuse_site
from thermal.heat_reuse_coefficients import (
    HEAT_REUSE_FIELDS,
    heat_reuse_coefficients,
    linear_heat_reuse,
)
from thermal.params import override
from thermal.simulate import simulate_site
from thermal.weather import load_climate

PODS = [
    Pod("air", "air", 50, 30, utilisation=0.7),
    Pod("cold_plate", "cold_plate", 50, 40, utilisation=0.8),  # W32: returns 42 °C
    Pod("immersion", "immersion", 50, 50, utilisation=0.5),  # W40: returns 50 °C
    Pod("cp-w40", "cold_plate", 50, 40, water_class="W40", utilisation=0.8),
    Pod("air-airside", "air", 50, 20, economizer="air_side", utilisation=0.6),
    Pod("cp-low", "cold_plate", 50, 40, utilisation=0.2),  # below the pumps' minimum flow
]
LIMITS = {
    "unlimited": (None, HeatReuseParams()),
    "beijing-season": ("season", HeatReuseParams()),
    "share-capacity": (None, HeatReuseParams(contracted_share=0.5, capacity_kw_th=2_000.0)),
    "season-hot-network": ("season", HeatReuseParams(supply_c=85.0, capacity_kw_th=3_000.0)),
}


@pytest.fixture(scope="module")
def weather():
    return {name: load_climate(name) for name in ("beijing", "miami")}


@pytest.fixture(scope="module")
def frames(weather):
    return simulate_site(weather["beijing"], PODS)[0]


def _demand(kind, w):
    return heating_season_demand_kw_th(w, 4_000.0) if kind == "season" else kind


@pytest.mark.parametrize("case", LIMITS)
def test_the_ledger_closes_and_no_limit_is_crossed_in_any_hour(weather, frames, case):
    w = weather["beijing"]
    kind, params = LIMITS[case]
    demand = _demand(kind, w)
    pods, site = heat_reuse_site(w, PODS, demand_kw_th=demand, params=params, frames=frames)
    scale = site["facility_kw"].max()
    tol = ENERGY_BALANCE_RTOL * scale
    for name, f in pods.items():
        sim = frames[name]
        # heat in (loop heat, compressor) = heat out (delivered, left to the plant)
        np.testing.assert_allclose(
            f["loop_heat_kw_th"] + f["heat_pump_kw"], f["delivered_kw_th"] + f["rejected_kw_th"],
            rtol=0, atol=tol,
        )  # fmt: skip
        np.testing.assert_allclose(
            f["recovered_kw_th"] + f["heat_pump_kw"], f["delivered_kw_th"], rtol=0, atol=tol
        )
        # the pod: electricity in = heat out (to outdoors, to the network, left in the hall)
        np.testing.assert_allclose(
            f["facility_kw"],
            f["heat_rejected_kw"] + f["delivered_kw_th"] + f["unmet_heat_kw"] - f["storage_kw_th"],
            rtol=0, atol=tol,
        )  # fmt: skip
        np.testing.assert_allclose(
            f["facility_kw"], sim["facility_kw"] + f["heat_pump_kw"], rtol=0, atol=tol
        )
        assert (f["delivered_kw_th"] >= 0).all() and (f["heat_pump_kw"] >= 0).all()
        assert (f["delivered_kw_th"] <= f["recoverable_kw_th"] + tol).all()
        assert (f["recovered_kw_th"] <= f["loop_heat_kw_th"] + tol).all()
    assert (site["delivered_kw_th"] <= site["demand_kw_th"] + tol).all()
    if demand is not None:
        assert (site["delivered_kw_th"] <= demand + tol).all()
    if params.capacity_kw_th is not None:
        assert site["delivered_kw_th"].max() <= params.capacity_kw_th + tol
        assert site["delivered_kw_th"].max() == pytest.approx(params.capacity_kw_th)  # it binds
    # the site delivers all it can up to its limit
    np.testing.assert_allclose(
        site["delivered_kw_th"],
        np.minimum(site["demand_kw_th"], site["recoverable_kw_th"]),
        rtol=1e-12, atol=tol,
    )  # fmt: skip
    if case == "unlimited":
        np.testing.assert_array_equal(site["demand_kw_th"], np.inf)
        for f in pods.values():
            np.testing.assert_array_equal(f["delivered_kw_th"], f["recoverable_kw_th"])
    hourly, period = energy_reuse_factor(site["delivered_kw_th"], site["facility_kw"])
    np.testing.assert_allclose(site["erf"], hourly)
    assert period == pytest.approx(site["delivered_kw_th"].sum() / site["facility_kw"].sum())
    assert 0 < period < 1


def test_zero_demand_or_no_contract_delivers_nothing_and_costs_nothing(weather, frames):
    w = weather["beijing"]
    for demand, params in (
        (0.0, HeatReuseParams()),
        (None, HeatReuseParams(contracted_share=0.0)),
        (None, HeatReuseParams(capacity_kw_th=0.0)),
    ):
        pods, site = heat_reuse_site(w, PODS, demand_kw_th=demand, params=params, frames=frames)
        for name, f in pods.items():
            assert (f["delivered_kw_th"] == 0).all() and (f["heat_pump_kw"] == 0).all()
            np.testing.assert_array_equal(f["facility_kw"], frames[name]["facility_kw"])
            np.testing.assert_array_equal(f["rejected_kw_th"], f["loop_heat_kw_th"])
        assert (site["erf"] == 0).all()


def test_outside_the_heating_season_nothing_is_delivered(weather, frames):
    w = weather["beijing"]
    demand = heating_season_demand_kw_th(w, 4_000.0)
    _, site = heat_reuse_site(w, PODS, demand_kw_th=demand, frames=frames)
    season = in_season(w.index)
    assert 2_800 < season.sum() < 3_000  # 121 days (15 Nov - 15 Mar) of a 365-day year
    assert (site["delivered_kw_th"][~season] == 0).all()
    assert (site["delivered_kw_th"][season] > 0).mean() > 0.95
    # the cheapest heat goes first: W40 loops exchange directly at 45 °C and fill a small demand
    pods, _ = heat_reuse_site(w, PODS, demand_kw_th=demand / 4, params=HeatReuseParams(supply_c=45.0),
                              frames=frames)  # fmt: skip
    assert (pods["air"]["delivered_kw_th"] == 0).all()
    assert pods["immersion"]["delivered_kw_th"].sum() > 0


def test_which_loops_need_a_heat_pump(weather, frames):
    w = weather["beijing"]
    at = {s: heat_reuse_site(w, PODS, params=HeatReuseParams(supply_c=s), frames=frames)[0]
          for s in (45.0, 55.0, 70.0)}  # fmt: skip
    # loop returns at full flow: W32 + 10 K, W40 + 10 K, chilled water 21.25 + 7.5 K
    for name, source in (
        ("cold_plate", 42.0),
        ("immersion", 50.0),
        ("cp-w40", 50.0),
        ("air", 28.75),
    ):
        np.testing.assert_allclose(at[70.0][name]["source_c"], source)
    # warm-water loops at W40 exchange directly into a 45 °C network, not into 70 °C
    for name in ("immersion", "cp-w40"):
        assert at[45.0][name]["direct"].all() and (at[45.0][name]["heat_pump_kw"] == 0).all()
        assert not at[70.0][name]["direct"].any() and (at[70.0][name]["heat_pump_kw"] > 0).all()
    assert not at[45.0]["cold_plate"]["direct"].any()  # W32 returns 42 °C
    for s in at:
        for name in ("air", "air-airside"):
            assert not at[s][name]["direct"].any()
    cold_chw = FacilityParams(air=override(FacilityParams().air, {"chw_supply_c": 7.0}))
    old_air = heat_reuse_site(w, PODS[:1], params=HeatReuseParams(supply_c=45.0),
                              facility_params=cold_chw)[0]["air"]  # fmt: skip
    np.testing.assert_allclose(old_air["source_c"], 14.5)
    assert not old_air["direct"].any()
    # a colder source costs more compressor power per kW_th
    assert (old_air["heat_pump_kw_per_kw_th"] > at[45.0]["air"]["heat_pump_kw_per_kw_th"]).all()


def test_a_hotter_network_never_raises_the_cop_in_any_hour(weather, frames):
    w = weather["beijing"]
    previous = None
    for supply in np.arange(30.0, 95.0, 5.0):
        pods = heat_reuse_site(w, PODS, params=HeatReuseParams(supply_c=supply), frames=frames)[0]
        per = np.column_stack([f["heat_pump_kw_per_kw_th"] for f in pods.values()])
        cop = np.column_stack([f["cop"].fillna(np.inf) for f in pods.values()])
        if previous is not None:
            assert np.all(per >= previous[0] - 1e-15)
            assert np.all(cop <= previous[1] + 1e-12)
        previous = (per, cop)


def test_air_side_economizer_heat_leaves_outdoors_not_through_the_heat_pump(weather, frames):
    w = weather["beijing"]
    f = heat_reuse_site(w, PODS, frames=frames)[0]["air-airside"]
    air = frames["air-airside"]["heat_to_air_kw"]
    outdoor = (f["loop_heat_kw_th"] == 0).to_numpy()
    assert 0.2 < outdoor.mean() < 0.9  # a Beijing year: outdoor air carries it all in cold hours
    assert (f["delivered_kw_th"][outdoor] == 0).all()
    assert (f["loop_heat_kw_th"] <= air + 1e-9).all()
    # below the pumps' minimum flow the return is cooler than at design
    assert f["source_c"][~outdoor].min() < 28.75 - 1.0


def test_pods_need_unique_names(weather):
    with pytest.raises(ThermalInputError, match="unique"):
        heat_reuse_site(weather["beijing"], [PODS[0], PODS[0]])
    with pytest.raises(ThermalInputError, match="unique"):
        heat_reuse_site(weather["beijing"], [])


def test_given_frames_equal_simulated_ones(weather, frames):
    w = weather["beijing"]
    demand = heating_season_demand_kw_th(w, 3_000.0)
    a = heat_reuse_site(w, PODS, demand_kw_th=demand, frames=frames)[1]
    b = heat_reuse_site(w, PODS, demand_kw_th=demand)[1]
    assert a.equals(b)


def _linear_errors(w, pods, multiplier, demand, params) -> dict:
    """Largest relative errors of the linear model against the exact one."""
    coef = heat_reuse_coefficients(w, pods, params=params)
    load = {k: coef["compute_kw"][k].to_numpy() * multiplier for k in coef["compute_kw"]}
    exact, site = heat_reuse_site(w, pods, load, demand, params)
    lin = linear_heat_reuse(coef, load, demand, params)
    names = list(exact)

    def rel(a, b):
        return float(np.nanmax(np.abs(a - b) / np.where(np.abs(b) > 0, np.abs(b), np.nan)))

    stack = {c: np.column_stack([exact[k][c] for k in names])
             for c in ("recoverable_kw_th", "heat_pump_kw_per_kw_th")}  # fmt: skip
    hp_exact, hp_lin = site["heat_pump_kw"].to_numpy(), lin["heat_pump_kw"].sum(axis=1).to_numpy()
    return {
        "recoverable": rel(lin["recoverable_kw_th"][names].to_numpy(), stack["recoverable_kw_th"]),
        "per_kw_th": rel(coef["heat_pump_kw_per_kw_th"][names].to_numpy(), stack["heat_pump_kw_per_kw_th"]),
        "delivered": rel(lin["delivered_kw_th"].sum(axis=1).to_numpy(), site["delivered_kw_th"].to_numpy()),
        "heat_pump": rel(hp_lin, hp_exact),
        "heat_pump_year": abs(hp_lin.sum() - hp_exact.sum()) / hp_exact.sum(),
        "facility": float(np.max(np.abs(hp_lin - hp_exact) / site["facility_kw"].to_numpy())),
    }  # fmt: skip


@pytest.mark.parametrize("climate", ["beijing", "miami"])
@pytest.mark.parametrize("case", ["unlimited", "share-capacity", "season-hot-network"])
def test_linear_coefficients_match_the_exact_model_for_compute_plus_minus_10_percent(
    weather, climate, case
):
    w = weather[climate]
    kind, params = LIMITS[case]
    coef = heat_reuse_coefficients(w, PODS, params=params)
    assert set(coef.columns.get_level_values(0)) == set(HEAT_REUSE_FIELDS)
    assert set(coef.columns.get_level_values(1)) == {p.name for p in PODS}
    assert (coef["recoverable_per_compute"][["cold_plate", "immersion"]] > 0).all().all()
    alternating = np.where(np.arange(len(w)) % 2 == 0, 1.1, 0.9)
    for multiplier in (1.0, 1.1, 0.9, alternating):
        err = _linear_errors(w, PODS, multiplier, _demand(kind, w), params)
        assert (
            max(err["recoverable"], err["delivered"], err["heat_pump"]) <= HEAT_REUSE_LINEAR_RTOL
        ), err
        assert err["per_kw_th"] <= HEAT_REUSE_COP_RTOL, err


def main() -> None:  # pragma: no cover - prints the table of docs/physics-validation.md
    print(
        "| climate | limits | compute | pod recoverable | compressor kW/kW_th | site delivered "
        "| heat pump kW, hour | heat pump kWh, year | of facility power |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for climate in ("beijing", "miami", "sand-point"):
        w = load_climate(climate)
        alternating = np.where(np.arange(len(w)) % 2 == 0, 1.1, 0.9)
        for case in ("unlimited", "share-capacity", "season-hot-network"):
            kind, params = LIMITS[case]
            for label, mult in (
                ("+10 %", 1.1),
                ("-10 %", 0.9),
                ("+-10 % alternating", alternating),
            ):
                e = _linear_errors(w, PODS, mult, _demand(kind, w), params)
                print(
                    f"| {climate} | {case} | {label} | {e['recoverable']:.3%} | {e['per_kw_th']:.3%} "
                    f"| {e['delivered']:.3%} | {e['heat_pump']:.3%} | {e['heat_pump_year']:.3%} "
                    f"| {e['facility']:.4%} |"
                )


if __name__ == "__main__":  # pragma: no cover
    main()
