"""A cold tank on a pod's chillers over whole years: today's results without one, the
energy ledger with one, its limits, and the scheduler's linear coefficients against the
exact simulation (``python -m tests.component.test_cold_storage`` prints the docs table)."""

import numpy as np
import pandas as pd
import pytest

from tests.tolerances import (
    COLD_STORAGE_HOURLY_RTOL,
    COLD_STORAGE_PERIOD_RTOL,
    ENERGY_BALANCE_RTOL,
)
from thermal.coefficients import (
    COLD_STORAGE_FIELDS,
    cold_storage_coefficients,
    scheduler_coefficients,
)
from thermal.cold_storage import ColdStorageParams
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod
from thermal.heat_rejection import pump_kw
from thermal.params import override
from thermal.simulate import simulate_pod, simulate_site
from thermal.weather import load_climate

#: A hot and a cold climate (pvlib's bundled typical years: chillers run in 91 % and in
#: none of Miami's and Sand Point's hours), and cold winters with hot summers.
HOT, COLD, MIXED = "miami", "sand-point", "beijing"
PODS = [
    Pod("air", "air", 50, 30, utilisation=0.7),
    Pod("cold_plate", "cold_plate", 50, 40, utilisation=0.8),
    Pod("immersion", "immersion", 50, 50, utilisation=0.5),
]
VARIANTS = [
    *PODS,
    Pod("air-airside", "air", 50, 20, economizer="air_side"),
    Pod("air-dry", "air", 50, 20, heat_rejection="dry_cooler"),
    Pod("cp-w27", "cold_plate", 50, 40, heat_rejection="tower", water_class="W27"),
]
NEW_COLUMNS = ["chiller_load_kw_th", "storage_kw_th"]


@pytest.fixture(scope="module")
def weather():
    return {name: load_climate(name) for name in (HOT, COLD, MIXED)}


def _alternating(n_hours: int, kw_th: float) -> np.ndarray:
    """Charge ``kw_th`` in even hours, discharge it in odd ones."""
    return np.where(np.arange(n_hours) % 2 == 0, kw_th, -kw_th)


@pytest.mark.parametrize("pod", VARIANTS, ids=lambda p: p.name)
def test_no_tank_and_a_zero_tank_give_exactly_todays_results(weather, pod):
    w = weather[HOT]
    today = simulate_pod(w, pod)
    for flow in (None, 0.0, np.zeros(len(w)), pd.Series(0.0, index=w.index)):
        for tank in (None, ColdStorageParams(kind="ice")):
            same = simulate_pod(w, pod, storage_kw_th=flow, storage=tank)
            pd.testing.assert_frame_equal(same, today, check_exact=True)
    assert (today["storage_kw_th"] == 0).all()
    # without a tank, the chillers remove what the loops ask of them, less what they cannot
    assert (today["chiller_load_kw_th"] >= 0).all()
    assert (today["chiller_load_kw_th"] <= today["chiller_available_kw"] * (1 + 1e-12)).all()
    assert (today["chiller_load_kw_th"][today["chiller_kw"] == 0] == 0).all()


def test_a_site_without_flows_is_todays_site(weather):
    w = weather[HOT]
    frames, site = simulate_site(w, PODS)
    _, site0 = simulate_site(w, PODS, storage_kw_th={p.name: 0.0 for p in PODS})
    pd.testing.assert_frame_equal(site, site0, check_exact=True)
    flows = {"air": _alternating(len(w), 300.0)}
    frames1, site1 = simulate_site(w, PODS, storage_kw_th=flows)
    np.testing.assert_allclose(site1["storage_kw_th"], frames1["air"]["storage_kw_th"], rtol=0, atol=0)
    pd.testing.assert_frame_equal(frames1["immersion"], frames["immersion"], check_exact=True)


@pytest.mark.parametrize("climate", [HOT, COLD])
@pytest.mark.parametrize("kind", ["chilled_water", "ice"])
def test_energy_balance_closes_every_hour_with_a_tank(weather, climate, kind):
    """Heat out = power in, the tank's term included: heat charged leaves now, on top of
    the electricity; heat discharged stays in the tank (tested to 1e-9)."""
    w = weather[climate]
    small_plant = override(FacilityParams(), {"chiller.sizing_factor": 0.6})
    for params in (FacilityParams(), small_plant):
        for pod in VARIANTS:
            for kw in (150.0, 2000.0, 1e9):
                for loop in ("chilled_water", "facility_water") if pod.cooling != "air" else ("chilled_water",):
                    tank = ColdStorageParams(kind=kind, loop=loop)
                    f = simulate_pod(w, pod, params=params, storage_kw_th=_alternating(len(w), kw), storage=tank)
                    assert (f["storage_kw_th"] != 0).any()
                    np.testing.assert_allclose(
                        f["heat_rejected_kw"] + f["unmet_heat_kw"] - f["storage_kw_th"],
                        f["facility_kw"],
                        rtol=ENERGY_BALANCE_RTOL,
                    )
                    parts = f[["it_kw", "ups_loss_kw", "distribution_loss_kw", "lighting_kw", "cooling_kw"]].sum(axis=1)
                    np.testing.assert_allclose(parts, f["facility_kw"], rtol=ENERGY_BALANCE_RTOL)
                    cooling = f[["air_handler_fan_kw", "pump_kw", "chiller_kw", "heat_rejection_fan_kw"]].sum(axis=1)
                    np.testing.assert_allclose(cooling, f["cooling_kw"], rtol=ENERGY_BALANCE_RTOL)


def test_the_chillers_carry_the_tank_flow_on_top_of_their_own_load(weather):
    """Chiller heat = heat without a tank + what was charged (plus the charging pump's heat)
    - what was discharged, in every hour the chillers have the capacity."""
    w = weather[HOT]
    pod = PODS[0]
    base = simulate_pod(w, pod)
    f = simulate_pod(w, pod, storage_kw_th=_alternating(len(w), 400.0))
    applied = f["storage_kw_th"]
    extra = f["chiller_load_kw_th"] - base["chiller_load_kw_th"]
    charging, discharging = applied > 0, applied < 0
    air = FacilityParams().air
    # the charging flow is pumped at the chilled-water head and rise: 147 kPa over 7.5 K at
    # 79 %, 0.006 kW per kW_th, and that pump's heat goes to the chillers too
    pump_per_kw = float(pump_kw(1.0, air.chw_delta_t_k, air.chw_pump_pa, air.chw_pump_efficiency))
    assert pump_per_kw == pytest.approx(0.006, abs=0.0005)
    np.testing.assert_allclose(extra[charging], applied[charging] * (1 + pump_per_kw), rtol=1e-9)
    # pumps: the charging flow's, and the tower water's for the extra heat rejected
    assert ((f["pump_kw"] - base["pump_kw"])[charging] > pump_per_kw * applied[charging]).all()
    np.testing.assert_allclose(extra[discharging], applied[discharging], rtol=1e-9, atol=1e-9)
    # each kW_th charged costs electricity, each kW_th discharged saves some
    assert (f["facility_kw"] > base["facility_kw"])[charging].all()
    assert (f["facility_kw"] <= base["facility_kw"])[discharging].all()


def test_discharge_replaces_only_chiller_heat_and_charging_leaves_none_unmet(weather):
    w = weather[HOT]
    pod = PODS[0]
    base = simulate_pod(w, pod)
    asked = base["chiller_load_kw_th"] + base["unmet_heat_kw"]
    drained = simulate_pod(w, pod, storage_kw_th=-1e9)
    np.testing.assert_allclose(-drained["storage_kw_th"], asked, rtol=1e-12)
    assert (drained["chiller_kw"] == 0).all()
    free_hours = base["chiller_kw"] == 0
    assert free_hours.sum() > 100  # Miami's winter nights run on the towers alone
    assert (drained["storage_kw_th"][free_hours] == 0).all()  # free-cooled heat needs no tank
    filled = simulate_pod(w, pod, storage_kw_th=1e9)
    assert (filled["unmet_heat_kw"] == base["unmet_heat_kw"]).all()
    np.testing.assert_allclose(filled["chiller_load_kw_th"], filled["chiller_available_kw"], rtol=1e-9)
    # in free-cooling hours charging runs the chillers the towers had switched off
    assert (filled["chiller_kw"][free_hours] > 0).all()


def test_a_tank_carries_heat_a_short_plant_leaves_unmet(weather):
    w = weather[HOT]
    params = override(FacilityParams(), {"chiller.sizing_factor": 0.6})
    pod = Pod("air", "air", 50, 30, air_class="A1")
    base = simulate_pod(w, pod, params=params)
    short = base["unmet_heat_kw"] > 0
    assert short.sum() > 100
    helped = simulate_pod(w, pod, params=params, storage_kw_th=np.where(short, -500.0, 0.0))
    assert (helped["unmet_heat_kw"][short] < base["unmet_heat_kw"][short]).all()
    assert helped["inlet_c"][short].mean() < base["inlet_c"][short].mean()


def test_a_tank_on_facility_water_needs_a_liquid_pod_and_flows_name_their_pod(weather):
    w = weather[COLD]
    with pytest.raises(ThermalInputError, match=r"'air'.*facility water"):
        simulate_pod(w, PODS[0], storage_kw_th=100.0, storage=ColdStorageParams(loop="facility_water"))
    with pytest.raises(ThermalInputError, match="storage flow given for unknown pod"):
        simulate_site(w, PODS, storage_kw_th={"hall-x": 0.0})
    with pytest.raises(ThermalInputError, match=r"'cold_plate'.*one per weather hour"):
        simulate_pod(w, PODS[1], storage_kw_th=np.zeros(3))


def test_the_coefficients_limits_are_the_simulations(weather):
    w = weather[HOT]
    coef = cold_storage_coefficients(w, PODS)
    assert set(coef.columns.get_level_values(0)) == set(COLD_STORAGE_FIELDS)
    assert list(coef.columns.get_level_values(1).unique()) == [p.name for p in PODS]
    for pod in PODS:
        base = simulate_pod(w, pod)
        load = coef["chiller_load_kw_th"][pod.name]
        if pod.cooling == "air":  # one loop: the tank's loop is all of the pod's chillers
            np.testing.assert_allclose(load, base["chiller_load_kw_th"] + base["unmet_heat_kw"], rtol=1e-12)
        spare = coef["chiller_spare_kw_th"][pod.name]
        assert (spare >= 0).all() and (load >= 0).all()
        assert (coef["chiller_load_per_compute"][pod.name] >= 0).all()
        assert (coef["chiller_spare_per_compute"][pod.name] <= 1e-9).all()
        charging = simulate_pod(w, pod, storage_kw_th=spare.to_numpy() * 2)
        np.testing.assert_allclose(charging["storage_kw_th"], spare, rtol=1e-9)
        hot = load > 0
        assert (coef["discharge_kw_per_kw_th"][pod.name][hot] > 0).all()
        assert (coef["discharge_kw_per_kw_th"][pod.name][~hot] == 0).all()
        assert np.isfinite(coef.to_numpy()).all()


def test_ice_costs_more_to_charge_and_charges_less(weather):
    w = weather[HOT]
    water = cold_storage_coefficients(w, PODS[:1])
    ice = cold_storage_coefficients(w, PODS[:1], storage=ColdStorageParams(kind="ice"))
    params = ColdStorageParams()
    ratio = ice["charge_kw_per_kw_th"]["air"] / water["charge_kw_per_kw_th"]["air"]
    assert ratio.min() > 1.15  # COP x 0.70, less the fans and pumps, which do not change
    np.testing.assert_allclose(ice["chiller_spare_kw_th"], water["chiller_spare_kw_th"] * params.ice_capacity_ratio, rtol=1e-9)
    # discharging ice or chilled water takes the same heat off the same chillers
    np.testing.assert_allclose(ice["discharge_kw_per_kw_th"], water["discharge_kw_per_kw_th"], rtol=1e-12)


def test_immersion_at_w40_in_a_cold_climate_has_no_use_for_a_tank(weather):
    """Its facility water never needs the trim chillers; a tank there can only cost."""
    w = weather[COLD]
    pod = Pod("immersion", "immersion", 50, 50, water_class="W40", utilisation=0.5)
    for tank in (ColdStorageParams(loop="facility_water"), ColdStorageParams()):
        coef = cold_storage_coefficients(w, [pod], storage=tank)
        assert np.isfinite(coef.to_numpy()).all()
        assert (coef["chiller_load_kw_th"]["immersion"] == 0).all()
        assert (coef["discharge_kw_per_kw_th"]["immersion"] == 0).all()
        assert (coef["charge_kw_per_kw_th"]["immersion"] > 0).all()
        base = simulate_pod(w, pod)
        drained = simulate_pod(w, pod, storage_kw_th=-500.0, storage=tank)
        assert (drained["storage_kw_th"] == 0).all()
        np.testing.assert_array_equal(drained["facility_kw"], base["facility_kw"])
        filled = simulate_pod(w, pod, storage_kw_th=50.0, storage=tank)
        assert (filled["facility_kw"] > base["facility_kw"]).all()


#: Shares of each hour's limits the flows take: small, realistic, at the limit.
FLOW_SHARES = (0.05, 0.5, 1.0)
#: Compute load over the baseline the flows come with.
COMPUTE_SCALES = (1.0, 0.9, 1.1)


def linearisation_errors(weather: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The linear model against the exact simulation: charge in even hours, discharge in
    odd ones, each a share of the hour's limit at the new compute load (the tank's power
    caps it too), for every pod, flow share and compute scale.

    Returns
    -------
    DataFrame
        One row per case: ``hourly_max`` (largest hourly error of facility power) and
        ``period`` (error of the period's facility energy), relative.
    """
    tank = ColdStorageParams(kind=kind)
    sched = scheduler_coefficients(weather, PODS)
    coef = cold_storage_coefficients(weather, PODS, storage=tank)
    even = np.arange(len(weather)) % 2 == 0
    rows = []
    for pod in PODS:
        c = {k: coef[k][pod.name].to_numpy() for k in coef.columns.levels[0]}
        compute = sched["compute_kw"][pod.name].to_numpy()
        for scale in COMPUTE_SCALES:
            d_compute = compute * (scale - 1)
            spare = np.maximum(c["chiller_spare_kw_th"] + c["chiller_spare_per_compute"] * d_compute, 0)
            load = np.maximum(c["chiller_load_kw_th"] + c["chiller_load_per_compute"] * d_compute, 0)
            for share in FLOW_SHARES:
                charge = np.where(even, share * np.minimum(spare, tank.power_kw_th), 0.0)
                discharge = np.where(even, 0.0, share * np.minimum(load, tank.power_kw_th))
                linear = (
                    sched["facility_kw"][pod.name].to_numpy()
                    + sched["facility_factor"][pod.name].to_numpy() * d_compute
                    + c["charge_kw_per_kw_th"] * charge
                    - c["discharge_kw_per_kw_th"] * discharge
                )
                exact = simulate_pod(weather, pod, compute + d_compute, storage_kw_th=charge - discharge, storage=tank)
                exact_kw = exact["facility_kw"].to_numpy()
                rows.append(
                    {
                        "pod": pod.name,
                        "kind": kind,
                        "compute": scale,
                        "flow_share": share,
                        "shifted_mwh_th": float(np.abs(exact["storage_kw_th"]).sum() / 1e3),
                        "hourly_max": float(np.abs(linear / exact_kw - 1).max()),
                        "period": float(abs(linear.sum() / exact_kw.sum() - 1)),
                    }
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("climate", [HOT, COLD, MIXED])
@pytest.mark.parametrize("kind", ["chilled_water", "ice"])
def test_linear_tank_model_against_the_exact_simulation(weather, climate, kind):
    errors = linearisation_errors(weather[climate], kind)
    assert len(errors) == len(PODS) * len(FLOW_SHARES) * len(COMPUTE_SCALES)
    assert (errors["shifted_mwh_th"] > 0).all()
    worst = errors.loc[errors["hourly_max"].idxmax()].to_dict()
    assert errors["hourly_max"].max() < COLD_STORAGE_HOURLY_RTOL, worst
    assert errors["period"].max() < COLD_STORAGE_PERIOD_RTOL, worst


def table() -> str:
    """The docs table: largest errors per climate, pod and flow share (over compute
    scales and both kinds)."""
    frames = []
    for climate in (HOT, MIXED, COLD):
        w = load_climate(climate)
        for kind in ("chilled_water", "ice"):
            frames.append(linearisation_errors(w, kind).assign(climate=climate))
    errors = pd.concat(frames)
    lines = [
        "| climate | pod | flow share | hourly max, compute as baseline | hourly max, compute +-10 % | year, compute as baseline | year, compute +-10 % |",
        "|---|---|---|---|---|---|---|",
    ]
    for (climate, pod, share), g in errors.groupby(["climate", "pod", "flow_share"], sort=False):
        at_base, moved = g[g["compute"] == 1.0], g[g["compute"] != 1.0]
        lines.append(
            f"| {climate} | {pod} | {share:g} | {at_base['hourly_max'].max():.2%} | "
            f"{moved['hourly_max'].max():.2%} | {at_base['period'].max():.3%} | {moved['period'].max():.3%} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - prints the docs table
    print(table())
