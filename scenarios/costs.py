"""Money over the building's life: capital cost, annual cost, TCO, payback and NPV.

A planner chooses a cooling technology on money over the building's life, not on PUE alone.
This module prices a hall from its sized plant (:mod:`thermal.sizing`: every pod's plant at
full IT load on the design day) and its racks, and a year of running it from the simulated
energy, demand charges and water.

Capital cost (:func:`capex`), by component:

* ``white_space``: floor area (racks x m² per rack of the technology, aisles and tank
  clearance included) x building cost per m² (shell, fit-out and the support space that
  goes with each m² of white space);
* ``power_chain``: UPS and distribution per kW of IT (server fans included), generators,
  switchgear and transformers per kW of design-day facility power (the grid connection);
* ``chillers``, ``heat_rejection`` (towers, dry or hybrid coolers), ``air_handling``
  (CRAHs), ``cdus``: per kW_th of what each carries on the design hour;
* ``racks``: enclosure and containment (air), or the technology's in-rack hardware (cold
  plates and manifolds, immersion tanks, spray chassis) per rack plus per kW of compute;
* ``coolant``: the first fill of dielectric or glycol.

Annual cost (:func:`annual_costs`): energy and demand charges (the run's bill, scaled to a
year from the hours simulated), water, maintenance (a share of capex) and coolant top-up.
TCO per year = capex x capital recovery factor (lifetime, discount rate) + annual cost.

Defaults are US dollars of 2023, converted to the scenario's currency at a stated rate
(:data:`RATES_PER_USD`) and scaled by a location factor (construction costs differ by
market). Sources beside each value. The component prices are judgement within published
ranges, calibrated so that the model reproduces Schneider Electric White Paper 282
(immersion at parity with air at 10 kW/rack, ~10 % / ~14 % lower capex at 20 / 40 kW/rack
in a 2 MW hall; ``tests/unit/test_costs.py``); the whole-building cost of an air-cooled hall
then lands at US$ 7-8 per W of IT, below the top of Turner & Townsend's Data Centre Cost
Index 2023 (Tokyo, US$ 13.7 per W; Jakarta 10.5, Kuala Lumpur 10) as a hall without land
and owner's costs should.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scenarios.errors import ScenarioError
from thermal.errors import ThermalInputError
from thermal.params import override, param
from thermal.sizing import PlantSizing

#: Currency units per US dollar, 2023 annual averages: CNY, People's Bank of China central
#: parity rate (average of 2023: 7.0467); EUR, European Central Bank reference rate (2023
#: average 1.0813 USD per EUR). Other currencies: give ``costs.exchange_rate_per_usd``.
RATES_PER_USD = {"USD": 1.0, "CNY": 7.0467, "EUR": 1.0 / 1.0813}
#: Components of capex, in the order tables list them.
COMPONENTS = (
    "white_space",
    "power_chain",
    "chillers",
    "heat_rejection",
    "air_handling",
    "cdus",
    "racks",
    "coolant",
)
HOURS_PER_YEAR = 8760.0

_JUDGEMENT = "judgement, calibrated to Schneider Electric WP 282's ratios (tests/unit/test_costs.py)"


@dataclass(frozen=True)
class TechnologyCost:
    """What one cooling technology adds per rack [US$ 2023]."""

    # bounds: a rack takes some floor (0 would fit any number of racks); no price is negative
    m2_per_rack: float = param(
        2.5, "m²/rack", "white space per rack with aisles (~27 ft²); judgement", 0.1, 100.0
    )
    rack_usd: float = param(
        6_000.0, "USD/rack", "enclosure, containment share, rack PDU; judgement", 0.0, 1e7
    )
    liquid_usd_per_kw: float = param(
        0.0, "USD/kW", "in-rack liquid hardware per kW of compute (cold plates, manifolds, "
        "tank internals)", 0.0, 1e6,
    )
    coolant_l_per_rack: float = param(0.0, "L/rack", "first fill of coolant per rack", 0.0, 1e5)
    coolant_usd_per_l: float = param(0.0, "USD/L", "coolant price", 0.0, 1e5)
    coolant_topup_share: float = param(
        0.0, "1/year", "share of the fill replaced each year (drag-out, evaporation)", 0.0, 1.0
    )


def _tech(**values) -> TechnologyCost:
    return dataclasses.replace(TechnologyCost(), **values)


@dataclass(frozen=True)
class CostParams:
    """Every default of the cost model; override with the scenario's ``[costs]``."""

    currency: str = param("USD", "-", "currency of the defaults: US dollars of 2023")
    exchange_rate_per_usd: float | None = param(
        None, "unit/USD", "None: RATES_PER_USD for CNY, EUR, USD (2023 averages, PBOC / ECB)", 1e-6, 1e6
    )
    location_factor: float = param(
        1.0,
        "-",
        "construction cost of the site's market relative to the defaults' (a US market); "
        "markets differ by up to ~2x (Turner & Townsend DCCI 2023, Tokyo US$ 13.7/W at the top); "
        "set it for the site",
        0.1,
        10.0,
    )
    lifetime_years: float = param(
        15.0, "year", "mechanical and electrical plant life (ASHRAE service-life tables: 15-25); judgement", 1.0, 60.0
    )
    discount_rate: float = param(0.08, "1/year", "real discount rate of an infrastructure investor; judgement", 0.0, 1.0)
    building_usd_per_m2: float = param(
        3_000.0,
        "USD/m²",
        "shell, fit-out, fire suppression and support space per m² of white space; " + _JUDGEMENT,
        0.0,
        1e6,
    )
    ups_usd_per_kw: float = param(
        2_200.0, "USD/kW", "UPS, batteries, PDUs and busway per kW of IT; judgement (electrical 40-45 % of a build)", 0.0, 1e6
    )
    grid_usd_per_kw: float = param(
        1_800.0,
        "USD/kW",
        "generators, switchgear and transformers per kW of design-day facility power; judgement",
        0.0,
        1e6,
    )
    chiller_usd_per_kw_th: float = param(
        800.0, "USD/kW_th", "chiller plant with its pumps and piping per kW_th installed; judgement", 0.0, 1e6
    )
    tower_usd_per_kw_th: float = param(150.0, "USD/kW_th", "open cooling towers per kW_th rejected; judgement", 0.0, 1e6)
    dry_cooler_usd_per_kw_th: float = param(
        220.0, "USD/kW_th", "dry coolers per kW_th rejected (larger coil than a tower); judgement", 0.0, 1e6
    )
    hybrid_cooler_usd_per_kw_th: float = param(
        260.0, "USD/kW_th", "hybrid (adiabatic) coolers per kW_th rejected; judgement", 0.0, 1e6
    )
    crah_usd_per_kw_th: float = param(
        550.0, "USD/kW_th", "computer-room air handlers per kW_th of room heat; judgement", 0.0, 1e6
    )
    cdu_usd_per_kw_th: float = param(
        180.0, "USD/kW_th", "coolant distribution units per kW_th to liquid; judgement", 0.0, 1e6
    )
    maintenance_share: float = param(
        0.03, "1/year", "maintenance per year as a share of capex (2-4 % typical); judgement", 0.0, 1.0
    )
    water_usd_per_m3: float = param(
        2.0, "USD/m³", "industrial water and sewer per m³; judgement (set the local utility tariff)", 0.0, 1e4
    )
    embodied_kg_per_kw_it: float | None = param(
        None,
        "kg CO2e/kW",
        "embodied carbon of the building and plant per kW of IT, with the source of the "
        "value given (a life-cycle assessment of the design); None: not reported. No "
        "default: no published per-kW figure fits every structure and region",
        0.0,
        1e6,
    )
    air: TechnologyCost = field(default_factory=TechnologyCost)
    # cold plates, spray and two-phase: judgement relative to immersion's calibrated values
    # (in-rack liquid hardware per kW of compute; coolant volumes and prices of the fluids:
    # propylene-glycol water, PAO / mineral oil, fluoroketone)
    cold_plate: TechnologyCost = field(
        default_factory=lambda: _tech(
            rack_usd=6_000.0,
            liquid_usd_per_kw=500.0,
            coolant_l_per_rack=60.0,
            coolant_usd_per_l=4.0,
            coolant_topup_share=0.05,
        )
    )
    # immersion: rack_usd and liquid_usd_per_kw fitted (least squares) so that a 2 MW hall
    # reproduces Schneider Electric WP 282 (chassis or tank immersion vs air at 10 kW/rack:
    # parity at 10, -10 % at 20, -14 % at 40 kW/rack; the fit gives -0.1 %, -9.6 %, -14.3 %)
    immersion: TechnologyCost = field(
        default_factory=lambda: _tech(
            m2_per_rack=2.8,
            rack_usd=2_600.0,
            liquid_usd_per_kw=1_100.0,
            coolant_l_per_rack=400.0,
            coolant_usd_per_l=8.0,
            coolant_topup_share=0.02,
        )
    )
    spray: TechnologyCost = field(
        default_factory=lambda: _tech(
            rack_usd=4_000.0,
            liquid_usd_per_kw=900.0,
            coolant_l_per_rack=100.0,
            coolant_usd_per_l=8.0,
            coolant_topup_share=0.03,
        )
    )
    two_phase_immersion: TechnologyCost = field(
        default_factory=lambda: _tech(
            m2_per_rack=2.8,
            rack_usd=5_000.0,
            liquid_usd_per_kw=1_300.0,
            coolant_l_per_rack=300.0,
            coolant_usd_per_l=100.0,
            coolant_topup_share=0.03,
        )
    )


@dataclass(frozen=True)
class Capex:
    """Capital cost of a hall by component [currency]."""

    currency: str
    by_component: dict[str, float]
    floor_m2: float
    it_kw: float

    @property
    def total(self) -> float:
        return float(sum(self.by_component.values()))

    @property
    def per_kw_it(self) -> float:
        """Capex per kW of IT at nameplate [currency/kW]."""
        return self.total / self.it_kw if self.it_kw > 0 else math.nan


@dataclass(frozen=True)
class AnnualCosts:
    """A year of running a hall [currency/year]."""

    energy: float
    demand: float
    water: float
    maintenance: float
    coolant_topup: float

    @property
    def total(self) -> float:
        return self.energy + self.demand + self.water + self.maintenance + self.coolant_topup


@dataclass(frozen=True)
class Tco:
    """Total cost of ownership per year and per MWh of compute."""

    currency: str
    capex: Capex
    annualised_capex: float
    annual: AnnualCosts
    compute_mwh_per_year: float
    lifetime_years: float
    discount_rate: float
    embodied_t: float | None = None

    @property
    def per_year(self) -> float:
        return self.annualised_capex + self.annual.total

    @property
    def per_mwh_compute(self) -> float:
        m = self.compute_mwh_per_year
        return self.per_year / m if m > 0 else math.nan


@dataclass(frozen=True)
class Versus:
    """One option against a reference (air): extra capex, yearly saving, payback, NPV."""

    extra_capex: float
    annual_saving: float
    #: years until the saving repays the extra capex (0: cheaper to build and to run;
    #: inf: never)
    payback_years: float
    #: net present value over the lifetime of choosing the option [currency]
    npv: float


def cost_params(changes: Mapping[str, object] | None, currency: str) -> CostParams:
    """The cost defaults with a scenario's ``[costs]`` overrides, in ``currency``.

    Raises
    ------
    ScenarioError
        An unknown key or a value out of range (field ``costs``), or a currency without a
        stated exchange rate.
    """
    if "currency" in (changes or {}):
        raise ScenarioError(
            f"costs.currency: costs are in the grid's currency ({currency}); set "
            "grid.currency, and costs.exchange_rate_per_usd for a currency without a default rate",
            field="costs.currency",
        )
    try:
        params = override(CostParams(), dict(changes or {}), where="costs")
    except ThermalInputError as exc:
        raise ScenarioError(str(exc), field="costs") from None
    if params.exchange_rate_per_usd is None and currency.upper() not in RATES_PER_USD:
        raise ScenarioError(
            f"no default exchange rate for {currency}; give costs.exchange_rate_per_usd "
            f"({currency} per US dollar) so the US-dollar cost defaults can be converted",
            field="costs.exchange_rate_per_usd",
        )
    return dataclasses.replace(params, currency=currency.upper())


def usd_factor(params: CostParams) -> float:
    """Currency units per US dollar of the defaults, location factor included."""
    rate = params.exchange_rate_per_usd
    if rate is None:
        rate = RATES_PER_USD[params.currency]
    return float(rate) * params.location_factor


def technology_cost(params: CostParams, cooling: str) -> TechnologyCost:
    """The per-rack costs of a cooling technology."""
    return getattr(params, cooling)


def capex(sizings: Sequence[PlantSizing], params: CostParams) -> Capex:
    """Capital cost of a hall from its pods' plant sizing.

    Parameters
    ----------
    sizings : sequence of PlantSizing
        One per pod (:func:`thermal.sizing.size_pod`).
    params : CostParams
        Prices in US dollars; the result is in ``params.currency``.
    """
    k = usd_factor(params)
    rejection_price = {
        "tower": params.tower_usd_per_kw_th,
        "dry_cooler": params.dry_cooler_usd_per_kw_th,
        "hybrid": params.hybrid_cooler_usd_per_kw_th,
    }
    parts = dict.fromkeys(COMPONENTS, 0.0)
    floor = it = 0.0
    for s in sizings:
        tech = technology_cost(params, s.cooling)
        area = s.racks * tech.m2_per_rack
        floor += area
        it += s.it_design_kw
        parts["white_space"] += area * params.building_usd_per_m2
        parts["power_chain"] += (
            s.ups_kw * params.ups_usd_per_kw + s.design_facility_kw * params.grid_usd_per_kw
        )
        parts["chillers"] += s.chiller_kw_th * params.chiller_usd_per_kw_th
        parts["heat_rejection"] += s.heat_rejection_kw_th * rejection_price[s.heat_rejection]
        parts["air_handling"] += s.air_handling_kw_th * params.crah_usd_per_kw_th
        parts["cdus"] += s.cdu_kw_th * params.cdu_usd_per_kw_th
        parts["racks"] += s.racks * tech.rack_usd + s.compute_design_kw * tech.liquid_usd_per_kw
        parts["coolant"] += s.racks * tech.coolant_l_per_rack * tech.coolant_usd_per_l
    return Capex(
        currency=params.currency,
        by_component={c: v * k for c, v in parts.items()},
        floor_m2=floor,
        it_kw=it,
    )


def capital_recovery_factor(rate: float, years: float) -> float:
    """Share of a capital cost paid each year to repay it with interest [1/year].

    CRF = r (1 + r)^n / ((1 + r)^n - 1); 1 / n without interest.
    """
    if years <= 0:
        raise ValueError(f"lifetime must be positive, got {years}")
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


def annual_costs(
    sizings: Sequence[PlantSizing],
    cap: Capex,
    params: CostParams,
    energy_cost: float,
    demand_cost: float,
    water_l: float,
    hours: float,
    demand_months: float | None = None,
) -> AnnualCosts:
    """A year of running the hall, scaled from ``hours`` simulated [currency/year].

    Parameters
    ----------
    energy_cost, demand_cost : float
        The simulated period's energy and demand charges [currency].
    water_l : float
        Site water over the period [L].
    hours : float
        Length of the period [h]; its values are scaled by 8760 / hours.
    demand_months : float, optional
        How many months' charges ``demand_cost`` holds, where that is not the period's
        share of a year (whole months billed for a part: a week billed as a month is a
        twelfth of a year's charges, not 8760 / 168 of it); the demand then scales by
        12 / demand_months.
    """
    if not hours > 0:
        raise ValueError(f"hours must be positive, got {hours}")
    scale = HOURS_PER_YEAR / hours
    demand_scale = scale if demand_months is None else 12.0 / demand_months
    k = usd_factor(params)
    topup = sum(
        s.racks
        * technology_cost(params, s.cooling).coolant_l_per_rack
        * technology_cost(params, s.cooling).coolant_usd_per_l
        * technology_cost(params, s.cooling).coolant_topup_share
        for s in sizings
    )
    return AnnualCosts(
        energy=energy_cost * scale,
        demand=demand_cost * demand_scale,
        water=water_l / 1000.0 * params.water_usd_per_m3 * k * scale,
        maintenance=params.maintenance_share * cap.total,
        coolant_topup=topup * k,
    )


def tco(
    sizings: Sequence[PlantSizing],
    params: CostParams,
    energy_cost: float,
    demand_cost: float,
    water_l: float,
    compute_kwh: float,
    hours: float,
    demand_months: float | None = None,
) -> Tco:
    """Capex, annual cost and TCO of a hall over a simulated period of ``hours``.

    ``compute_kwh`` is the period's compute energy (IT minus server fans) [kWh]; it is
    scaled to a year like the costs; ``demand_months`` as :func:`annual_costs` takes it.
    """
    cap = capex(sizings, params)
    annual = annual_costs(sizings, cap, params, energy_cost, demand_cost, water_l, hours,
                          demand_months)
    embodied = None
    if params.embodied_kg_per_kw_it is not None:
        embodied = params.embodied_kg_per_kw_it * cap.it_kw / 1000.0
    return Tco(
        currency=params.currency,
        capex=cap,
        annualised_capex=cap.total * capital_recovery_factor(params.discount_rate, params.lifetime_years),
        annual=annual,
        compute_mwh_per_year=compute_kwh / 1000.0 * HOURS_PER_YEAR / hours,
        lifetime_years=params.lifetime_years,
        discount_rate=params.discount_rate,
        embodied_t=embodied,
    )


def versus(option: Tco, reference: Tco) -> Versus:
    """An option against a reference over the option's lifetime and discount rate.

    NPV = -extra capex + annual saving x annuity factor, the annuity factor being
    1 / CRF; payback = extra capex / annual saving (simple, undiscounted).
    """
    if option.currency != reference.currency:
        raise ValueError(f"cannot compare {option.currency} with {reference.currency}")
    extra = option.capex.total - reference.capex.total
    saving = reference.annual.total - option.annual.total
    annuity = 1.0 / capital_recovery_factor(option.discount_rate, option.lifetime_years)
    if extra <= 0 and saving >= 0:
        payback = 0.0
    elif saving <= 0:
        payback = math.inf
    else:
        payback = extra / saving
    return Versus(extra_capex=extra, annual_saving=saving, payback_years=payback, npv=-extra + saving * annuity)
