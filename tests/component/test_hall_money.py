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


def test_the_halls_page_shows_the_options_money(app):
    goto(app, "halls")
    ok(app)
    shown = table(app, row="TCO per year [CNY]")
    view = hall_options(scenario_from_dict(DEFAULT))
    assert list(shown.columns) == ["cold plate", "immersion", "two-phase immersion"]
    for option, column in zip(view.options, shown.columns, strict=True):
        assert shown.loc["TCO per year [CNY]", column] == f"{option.tco.per_year:,.0f}"
        assert shown.loc["Capital cost [CNY]", column] == f"{option.tco.capex.total:,.0f}"
        assert shown.loc["NPV against air [CNY]", column] == "-"
    captions = " ".join(c.value for c in app.caption)
    assert "air cannot cool these racks" in captions and "No spray" in captions
