"""Money per cooling option for a scenario's halls (scenarios.explore.tco) and the Halls
page that shows it (issue 17, items 1 and 3)."""

from __future__ import annotations

import copy

import pytest

from scenarios.explore.tco import hall_options
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from tests.component.test_app_pages import goto, ok, table
from tests.helpers import fresh_app
from ui.hall_money import LABELS, money_table

pytestmark = pytest.mark.component

DEFAULT = example_data("default")


@pytest.fixture
def app():
    yield from fresh_app()


def _at_rack_kw(rack_kw: float) -> dict:
    data = copy.deepcopy(DEFAULT)
    for pod in data["pods"]:
        pod["rack_kw"] = rack_kw
    return data


def test_a_technology_the_settings_cannot_design_is_skipped_with_the_reason():
    # a condenser approach so wide that two-phase coolant cannot condense in the pods'
    # water: two-phase is named as skipped; the others are still priced
    data = _at_rack_kw(20.0)
    data.setdefault("facility", {}).setdefault("liquid", {})[
        "two_phase_condenser_approach_k"] = 25.0
    view = hall_options(scenario_from_dict(data))
    assert "two_phase_immersion" in view.skipped
    assert "condense" in view.skipped["two_phase_immersion"]
    assert {o.cooling for o in view.options} == {"air", "cold_plate", "immersion", "spray"}


def test_every_technology_that_can_cool_the_racks_is_priced_against_air():
    view = hall_options(scenario_from_dict(_at_rack_kw(20.0)))
    by = {o.cooling: o for o in view.options}
    assert set(by) == {"air", "cold_plate", "immersion", "spray", "two_phase_immersion"}
    assert view.currency == "CNY" and view.skipped == {}
    air = by["air"]
    assert air.versus_air.npv == pytest.approx(0.0) and air.versus_air.extra_capex == 0.0
    for option in view.options:
        t = option.tco
        assert t.per_year == pytest.approx(t.annualised_capex + t.annual.total)
        assert option.versus_air.extra_capex == pytest.approx(t.capex.total - air.tco.capex.total)
        # the same racks: the same compute, whatever cools them
        assert t.compute_mwh_per_year == pytest.approx(air.tco.compute_mwh_per_year, rel=1e-9)
    # immersion draws less energy than air for the same compute: a cheaper year to run
    assert by["immersion"].pue < air.pue
    assert by["immersion"].tco.annual.energy < air.tco.annual.energy
    assert by["immersion"].versus_air.annual_saving > 0


def test_racks_too_dense_for_a_technology_are_named():
    view = hall_options(scenario_from_dict(_at_rack_kw(45.0)))
    assert "air" in view.skipped and "30 kW" in view.skipped["air"]
    assert "spray" not in view.skipped  # 48 kW spray limit
    assert all(o.versus_air is None for o in view.options)  # no air hall to compare with


def test_the_money_table_reads_in_millions_with_air_as_the_reference():
    view = hall_options(scenario_from_dict(_at_rack_kw(20.0)))
    shown = money_table(view)
    by = {LABELS[o.cooling]: o for o in view.options}
    assert list(shown.columns) == list(by)
    for column, option in by.items():
        t = option.tco
        assert shown.loc["Capital cost [million CNY]", column] == f"{t.capex.total / 1e6:,.2f}"
        assert shown.loc["TCO per year [million CNY]", column] == f"{t.per_year / 1e6:,.2f}"
        assert shown.loc["Capital cost per kW of IT [CNY/kW]", column] == f"{t.capex.per_kw_it:,.0f}"
        assert shown.loc["TCO per MWh of compute [CNY/MWh]", column] == f"{t.per_mwh_compute:,.0f}"
    against = shown.loc[["Payback against air [years]", "NPV against air [million CNY]"]]
    assert set(against["air"]) == {"reference"}  # not a payback of 0 years against itself
    for column, option in by.items():
        if column == "air":
            continue
        vs = option.versus_air
        assert shown.loc["NPV against air [million CNY]", column] == f"{vs.npv / 1e6:+,.2f}"
        payback = shown.loc["Payback against air [years]", column]
        if vs.extra_capex <= 0 and vs.annual_saving >= 0:
            assert payback == "at once"
        elif vs.annual_saving <= 0:
            assert payback == "never"
        else:
            assert payback == f"{vs.payback_years:.1f}"
    # two-phase immersion costs more to build and to run than air at 20 kW racks
    assert shown.loc["Payback against air [years]", "two-phase immersion"] == "never"
    assert shown.loc["NPV against air [million CNY]", "two-phase immersion"].startswith("-")


def test_the_halls_page_shows_the_options_money(app):
    goto(app, "halls")
    ok(app)
    shown = table(app, row="TCO per year [million CNY]")
    view = hall_options(scenario_from_dict(DEFAULT))
    assert list(shown.columns) == ["cold plate", "immersion", "two-phase immersion"]
    for option, column in zip(view.options, shown.columns, strict=True):
        t = option.tco
        assert shown.loc["TCO per year [million CNY]", column] == f"{t.per_year / 1e6:,.2f}"
        assert shown.loc["Capital cost [million CNY]", column] == f"{t.capex.total / 1e6:,.2f}"
        assert shown.loc["Operating cost per year [million CNY]", column] == (
            f"{t.annual.total / 1e6:,.2f}")
    # no air hall: no rows against it (the caption says why)
    assert not [label for label in shown.index if "against air" in label]
    captions = " ".join(c.value for c in app.caption)
    assert "air cannot cool these racks" in captions and "No spray" in captions


def test_the_year_is_priced_on_the_tariffs_hours_not_the_runs_mean():
    """The default's Shanghai time-of-use tariff gives every hour of the year its price
    (the one-week July run's mean was used for the whole year); a flat price is the flat
    price, and a year's energy cost then is its energy times that price."""
    import numpy as np

    from scenarios.explore.halls import year_hours
    from scenarios.tariffs import get_tariff, hourly_price

    scenario = scenario_from_dict(_at_rack_kw(20.0))
    view = hall_options(scenario)
    hours = year_hours(scenario)
    spec = scenario.grid.price
    expected, _ = hourly_price(get_tariff(spec.tariff), hours, scenario.site.timezone,
                               spec.base_per_kwh, spec.adder_per_kwh)
    assert len(view.prices.per_kwh) == len(hours) == 8760
    np.testing.assert_allclose(view.prices.per_kwh, expected.to_numpy())
    assert "each hour" in view.prices.basis
    for option in view.options:  # the price paid per kWh lies within the tariff's range
        paid = option.tco.annual.energy / (option.facility_mwh_per_year * 1000.0)
        assert expected.min() < paid < expected.max()
    flat = _at_rack_kw(20.0)
    flat["grid"]["price"] = {"source": "flat", "flat_per_kwh": 0.7,
                             "demand_charge_per_kw_month": 40.0}
    view = hall_options(scenario_from_dict(flat))
    assert view.prices.basis == "the flat price"
    for option in view.options:
        assert option.tco.annual.energy == pytest.approx(option.facility_mwh_per_year * 700.0)
