"""Site assets the schedule is co-optimised with: a battery, a cold-storage tank and
on-site generation (data, checks and the hourly dispatch they produce).

The model's rows for them are in :mod:`optimizer.asset_constraints`; the dispatch of a
given job schedule (optimal, or by the baselines' rule) in :mod:`optimizer.dispatch`.
With no asset (:data:`NO_ASSETS`) the model, the heuristics and every number are exactly
those of a site without them.

Power flows of one hour t (all kW, averaged over the hour):

    grid_t + onsite_t + discharge_t = facility_t + charge_t + export_t + curtailed_t

where ``facility_t`` includes the cold tank's effect on the chillers
(``+ charge_coef x cold charge - discharge_coef x cold discharge``). The demand charge
and the site grid limit apply to ``grid_t`` (import), energy price and carbon to import,
the export price to export.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.errors import ScheduleInputError

#: Round-trip efficiency of a utility-scale lithium-ion battery [-] (NREL, Cole &
#: Ramasamy, "Cost Projections for Utility-Scale Battery Storage: 2023 Update",
#: NREL/TP-6A40-85332, p. 2: 85 %; also the NREL ATB 2024 assumption).
DEFAULT_ROUND_TRIP_EFFICIENCY = 0.85
#: State of charge a battery starts at, as a share of its energy [-] (judgement: half
#: full, so it can charge or discharge first; the run must end at least as full).
DEFAULT_INITIAL_SOC = 0.5
#: Slack on power and energy checks of a dispatch [kW, kWh] (judgement: rounding noise
#: of HiGHS's feasibility tolerance 1e-7 on values of up to ~1e5).
DISPATCH_EPS = 1e-4


def _check(ok: bool, field_name: str, message: str) -> None:
    if not ok:
        raise ScheduleInputError(f"{field_name}: {message}")


@dataclass(frozen=True)
class Battery:
    """An electric battery behind the site's meter.

    Attributes
    ----------
    energy_kwh : float
        Usable energy between empty and full [kWh] (the NREL ATB convention).
    power_kw : float
        Largest charge and discharge power, AC side [kW].
    round_trip_efficiency : float
        Energy out / energy in over a full cycle [-], split evenly between charging and
        discharging (sqrt each way); default :data:`DEFAULT_ROUND_TRIP_EFFICIENCY`.
    min_soc, max_soc : float
        Allowed state of charge as shares of ``energy_kwh`` [-] (default 0 and 1).
    initial_soc : float
        State of charge at the start [-]; the horizon must end at least at ``end_soc``.
    end_soc : float or None
        Least state of charge at the end [-]; None: ``initial_soc`` (no free energy from
        emptying the battery).
    degradation_cost_per_kwh : float
        Wear cost per kWh discharged (throughput) [currency / kWh]; default 0
        (judgement: a scenario choice; published values are 0.02-0.10 USD/kWh).
    """

    energy_kwh: float
    power_kw: float
    round_trip_efficiency: float = DEFAULT_ROUND_TRIP_EFFICIENCY
    min_soc: float = 0.0
    max_soc: float = 1.0
    initial_soc: float = DEFAULT_INITIAL_SOC
    end_soc: float | None = None
    degradation_cost_per_kwh: float = 0.0

    def __post_init__(self) -> None:
        w = "battery"
        _check(np.isfinite(self.energy_kwh) and self.energy_kwh >= 0, f"{w}.energy_kwh",
               f"{self.energy_kwh!r} must be a number >= 0 [kWh]")
        _check(np.isfinite(self.power_kw) and self.power_kw >= 0, f"{w}.power_kw",
               f"{self.power_kw!r} must be a number >= 0 [kW]")
        _check(0 < self.round_trip_efficiency <= 1, f"{w}.round_trip_efficiency",
               f"{self.round_trip_efficiency!r} must lie in (0, 1]")
        _check(0 <= self.min_soc <= self.max_soc <= 1, f"{w}.min_soc/max_soc",
               f"need 0 <= min_soc <= max_soc <= 1, got {self.min_soc!r}, {self.max_soc!r}")
        for name in ("initial_soc", "end_soc"):
            value = getattr(self, name)
            if value is not None:
                _check(self.min_soc - 1e-12 <= value <= self.max_soc + 1e-12, f"{w}.{name}",
                       f"{value!r} must lie between min_soc {self.min_soc} and max_soc "
                       f"{self.max_soc}")
        _check(self.degradation_cost_per_kwh >= 0, f"{w}.degradation_cost_per_kwh",
               "must be >= 0")

    @property
    def charge_efficiency(self) -> float:
        """Energy stored per kWh charged [-]."""
        return float(np.sqrt(self.round_trip_efficiency))

    @property
    def discharge_efficiency(self) -> float:
        """Energy delivered per kWh taken from storage [-]."""
        return float(np.sqrt(self.round_trip_efficiency))

    @property
    def initial_kwh(self) -> float:
        return self.initial_soc * self.energy_kwh

    @property
    def end_kwh(self) -> float:
        end = self.initial_soc if self.end_soc is None else self.end_soc
        return end * self.energy_kwh

    @property
    def active(self) -> bool:
        return self.energy_kwh > 0 and self.power_kw > 0


@dataclass(frozen=True)
class ColdStorage:
    """A chilled-water or ice tank charged by pods' chillers (hourly coefficients from
    the physics, e.g. :func:`thermal.coefficients.cold_storage_coefficients`).

    Charging at pod p in hour t adds ``charge_kw_per_kw_th[p,t]`` facility kW per kW_th
    (the chillers make extra cold at that hour's conditions); discharging takes heat off
    the pod's chillers and saves ``discharge_kw_per_kw_th[p,t]`` per kW_th, at most the
    heat the chillers would remove that hour.

    Attributes
    ----------
    capacity_kwh_th : float
        Cold the tank holds when full [kWh_th].
    power_kw_th : float
        Largest charge and discharge rate [kW_th].
    loss_per_h : float
        Share of the stored cold lost per hour [-/h].
    initial_soc : float
        Stored share at the start [-]; the horizon ends at least at ``end_soc`` (by
        default what an idle tank would keep, :attr:`end_kwh_th`).
    serves : ndarray of bool (P,)
        Pods whose chillers the tank serves.
    charge_kw_per_kw_th, discharge_kw_per_kw_th : ndarray (P, T)
        Facility power per kW_th charged / saved per kW_th discharged [kW / kW_th].
    chiller_load_kw_th : ndarray (P, T)
        Heat the chillers remove at the baseline load [kW_th].
    chiller_load_per_kw : ndarray (P, T)
        Extra chiller heat per kW of job IT load [kW_th / kW].
    chiller_spare_kw_th : ndarray (P, T)
        Chiller capacity left at the baseline load [kW_th].
    end_soc : float or None
        Least stored share at the end [-]; None: ``initial_soc``.
    chiller_spare_per_kw : ndarray (P, T) or None
        Spare chiller capacity a kW of job IT load takes [kW_th / kW]; None: the same as
        ``chiller_load_per_kw`` (for ice, and with the charging pump's heat, it differs).
    """

    capacity_kwh_th: float
    power_kw_th: float
    loss_per_h: float
    initial_soc: float
    serves: np.ndarray
    charge_kw_per_kw_th: np.ndarray
    discharge_kw_per_kw_th: np.ndarray
    chiller_load_kw_th: np.ndarray
    chiller_load_per_kw: np.ndarray
    chiller_spare_kw_th: np.ndarray
    end_soc: float | None = None
    chiller_spare_per_kw: np.ndarray | None = None

    @property
    def spare_per_kw(self) -> np.ndarray:
        """Spare capacity a kW of job IT load takes [kW_th / kW] (P, T)."""
        return (self.chiller_load_per_kw if self.chiller_spare_per_kw is None
                else self.chiller_spare_per_kw)

    @property
    def initial_kwh_th(self) -> float:
        return self.initial_soc * self.capacity_kwh_th

    @property
    def end_kwh_th(self) -> float:
        """Least stored cold at the end [kWh_th]: ``end_soc`` x capacity, or by default
        what an idle tank keeps of its initial cold over the horizon (initial x
        (1 - loss)^hours), so leaving the tank idle is always allowed and no run draws
        free cold from it."""
        if self.end_soc is not None:
            return self.end_soc * self.capacity_kwh_th
        n_hours = np.shape(self.charge_kw_per_kw_th)[-1]
        return self.initial_kwh_th * (1.0 - self.loss_per_h) ** n_hours

    @property
    def active(self) -> bool:
        return self.capacity_kwh_th > 0 and self.power_kw_th > 0 and bool(np.any(self.serves))

    def convexified(self) -> ColdStorage:
        """The tank with ``discharge_kw_per_kw_th <= charge_kw_per_kw_th`` at every
        pod-hour.

        Both are the plant's marginal power for heat added / taken off at that hour.
        Where its curve is locally concave (chillers false-loading at low part load,
        pumps at minimum speed) the saving per kW_th taken off would exceed the cost per
        kW_th added, and charging and discharging the same chillers in the same hour
        would "earn" power from nothing. Taking the smaller of the two closes that loop;
        it only ever understates the tank's saving, and the exact re-simulation settles
        the true power.
        """
        return replace(self, discharge_kw_per_kw_th=np.minimum(
            np.asarray(self.discharge_kw_per_kw_th, dtype=float),
            np.asarray(self.charge_kw_per_kw_th, dtype=float)))

    def check(self, n_pods: int, n_hours: int) -> None:
        """Shapes and values (raises :class:`ScheduleInputError` naming the field)."""
        w = "cold_storage"
        _check(np.isfinite(self.capacity_kwh_th) and self.capacity_kwh_th >= 0,
               f"{w}.capacity_kwh_th", "must be a number >= 0 [kWh_th]")
        _check(np.isfinite(self.power_kw_th) and self.power_kw_th >= 0, f"{w}.power_kw_th",
               "must be a number >= 0 [kW_th]")
        _check(0 <= self.loss_per_h < 1, f"{w}.loss_per_h", "must lie in [0, 1)")
        for name in ("initial_soc", "end_soc"):
            value = getattr(self, name)
            if value is not None:
                _check(0 <= value <= 1, f"{w}.{name}", f"{value!r} must lie in [0, 1]")
        _check(np.shape(self.serves) == (n_pods,), f"{w}.serves",
               f"needs one flag per pod ({n_pods})")
        for name in ("charge_kw_per_kw_th", "discharge_kw_per_kw_th", "chiller_load_kw_th",
                     "chiller_load_per_kw", "chiller_spare_kw_th", "chiller_spare_per_kw"):
            if getattr(self, name) is None:
                continue
            values = np.asarray(getattr(self, name), dtype=float)
            _check(values.shape == (n_pods, n_hours), f"{w}.{name}",
                   f"needs shape (pods, hours) = ({n_pods}, {n_hours}), got {values.shape}")
            _check(bool(np.isfinite(values).all() and (values >= 0).all()), f"{w}.{name}",
                   "must be finite and >= 0 in every pod and hour")


@dataclass(frozen=True)
class HeatReuse:
    """Heat recovered from the pods and sold to (or used by) a heat customer (hourly
    coefficients from the physics, e.g. :func:`thermal.heat_reuse.heat_reuse_coefficients`).

    Delivering q kW_th from pod p in hour t earns ``price_per_kwh_th[t]`` per kWh_th and
    adds ``heat_pump_kw_per_kw_th[p,t]`` facility kW per kW_th (a heat pump lifting the
    loop's heat to the network's temperature; 0 where the loop is hot enough). A pod can
    give at most what it recovers, ``recoverable_kw_th[p,t] + recoverable_per_kw[p,t] x
    job IT load``; the customer takes at most ``demand_kw_th[t]`` in all.

    Attributes
    ----------
    recoverable_kw_th, recoverable_per_kw, heat_pump_kw_per_kw_th : ndarray (P, T)
        [kW_th], [kW_th / kW], [kW / kW_th].
    demand_kw_th : ndarray (T,)
        Heat the customer takes at most [kW_th].
    price_per_kwh_th : ndarray (T,)
        Revenue, or the avoided cost of the heat it replaces [currency / kWh_th].
    """

    recoverable_kw_th: np.ndarray
    recoverable_per_kw: np.ndarray
    heat_pump_kw_per_kw_th: np.ndarray
    demand_kw_th: np.ndarray
    price_per_kwh_th: np.ndarray

    @property
    def active(self) -> bool:
        return bool(np.any(np.asarray(self.demand_kw_th) > 0))

    def check(self, n_pods: int, n_hours: int) -> None:
        """Shapes and values (raises :class:`ScheduleInputError` naming the field)."""
        for name, shape in (("recoverable_kw_th", (n_pods, n_hours)),
                            ("recoverable_per_kw", (n_pods, n_hours)),
                            ("heat_pump_kw_per_kw_th", (n_pods, n_hours)),
                            ("demand_kw_th", (n_hours,)), ("price_per_kwh_th", (n_hours,))):
            values = np.asarray(getattr(self, name), dtype=float)
            _check(values.shape == shape, f"heat_reuse.{name}",
                   f"needs shape {shape}, got {values.shape}")
            ok = np.isfinite(values).all() and (name == "price_per_kwh_th" or (values >= 0).all())
            _check(bool(ok), f"heat_reuse.{name}", "must be finite (and >= 0) in every hour")

    def window(self, sl: slice, fixed_load_kw: np.ndarray | None) -> HeatReuse:
        """Hours ``sl``; committed job load adds its recoverable heat to the base."""
        per_kw = self.recoverable_per_kw[:, sl]
        extra = 0.0 if fixed_load_kw is None else per_kw * fixed_load_kw
        return HeatReuse(self.recoverable_kw_th[:, sl] + extra, per_kw,
                         self.heat_pump_kw_per_kw_th[:, sl], np.asarray(self.demand_kw_th)[sl],
                         np.asarray(self.price_per_kwh_th)[sl])


@dataclass(frozen=True)
class Assets:
    """The site's assets (each optional).

    Attributes
    ----------
    battery : Battery or None
    cold : ColdStorage or None
    onsite_kw : ndarray (T,) or None
        On-site generation (PV, wind) per hour, AC [kW].
    export_price_per_kwh : ndarray (T,) or None
        What the grid pays per kWh exported [currency / kWh]; None: export not allowed
        (surplus generation is curtailed).
    heat : HeatReuse or None
        Heat recovered and delivered to a customer.
    """

    battery: Battery | None = None
    cold: ColdStorage | None = None
    onsite_kw: np.ndarray | None = None
    export_price_per_kwh: np.ndarray | None = None
    heat: HeatReuse | None = None

    @property
    def has_heat(self) -> bool:
        return self.heat is not None and self.heat.active

    @property
    def has_battery(self) -> bool:
        return self.battery is not None and self.battery.active

    @property
    def has_cold(self) -> bool:
        return self.cold is not None and self.cold.active

    @property
    def has_onsite(self) -> bool:
        return self.onsite_kw is not None and bool(np.any(np.asarray(self.onsite_kw) > 0))

    @property
    def can_export(self) -> bool:
        return self.has_onsite and self.export_price_per_kwh is not None

    @property
    def active(self) -> bool:
        """Whether any asset changes the site's grid import (else the model is the
        plain one, exactly)."""
        return self.has_battery or self.has_cold or self.has_onsite or self.has_heat

    def check(self, n_pods: int, n_hours: int) -> None:
        """Shapes and values (raises :class:`ScheduleInputError` naming the field)."""
        if self.cold is not None:
            self.cold.check(n_pods, n_hours)
        if self.heat is not None:
            self.heat.check(n_pods, n_hours)
        for name in ("onsite_kw", "export_price_per_kwh"):
            values = getattr(self, name)
            if values is None:
                continue
            values = np.asarray(values, dtype=float)
            _check(values.shape == (n_hours,), name,
                   f"needs one value per hour ({n_hours}), got shape {values.shape}")
            _check(bool(np.isfinite(values).all()), name, "must be finite in every hour")
        if self.onsite_kw is not None:
            _check(bool((np.asarray(self.onsite_kw) >= 0).all()), "onsite_kw",
                   "must be >= 0 in every hour")

    def convexified(self) -> Assets:
        """The assets with the cold tank's discharge saving at no pod-hour above its
        charge cost (:meth:`ColdStorage.convexified`)."""
        if self.cold is None:
            return self
        return replace(self, cold=self.cold.convexified())

    def window(self, sl: slice, battery_kwh: float | None, cold_kwh_th: float | None,
               fixed_load_kw: np.ndarray | None = None) -> Assets:
        """The assets on hours ``sl`` of the grid, starting from the given stored energy
        (a rolling window); the window must end at least at the run's end state.

        ``fixed_load_kw`` (P, T_window): job load already committed in those hours,
        which adds chiller load and takes chiller spare capacity.
        """
        battery = self.battery
        if battery is not None and battery_kwh is not None and battery.energy_kwh > 0:
            start = float(np.clip(battery_kwh / battery.energy_kwh, battery.min_soc,
                                  battery.max_soc))
            battery = replace(battery, initial_soc=start,
                              end_soc=battery.end_kwh / battery.energy_kwh)
        cold = self.cold
        if cold is not None:
            per_kw = cold.chiller_load_per_kw[:, sl]
            spare_per_kw = cold.spare_per_kw[:, sl]
            extra = 0.0 if fixed_load_kw is None else per_kw * fixed_load_kw
            taken = 0.0 if fixed_load_kw is None else spare_per_kw * fixed_load_kw
            start = cold.initial_soc
            if cold_kwh_th is not None and cold.capacity_kwh_th > 0:
                start = float(np.clip(cold_kwh_th / cold.capacity_kwh_th, 0.0, 1.0))
            cold = replace(
                cold, initial_soc=start, end_soc=cold.end_kwh_th / max(cold.capacity_kwh_th,
                                                                        1e-300),
                charge_kw_per_kw_th=cold.charge_kw_per_kw_th[:, sl],
                discharge_kw_per_kw_th=cold.discharge_kw_per_kw_th[:, sl],
                chiller_load_kw_th=cold.chiller_load_kw_th[:, sl] + extra,
                chiller_load_per_kw=per_kw,
                chiller_spare_kw_th=np.maximum(cold.chiller_spare_kw_th[:, sl] - taken, 0.0),
                chiller_spare_per_kw=spare_per_kw,
            )
        return Assets(
            battery=battery,
            cold=cold,
            onsite_kw=None if self.onsite_kw is None else np.asarray(self.onsite_kw)[sl],
            export_price_per_kwh=None if self.export_price_per_kwh is None
            else np.asarray(self.export_price_per_kwh)[sl],
            heat=None if self.heat is None else self.heat.window(sl, fixed_load_kw),
        )


#: A site without assets.
NO_ASSETS = Assets()


@dataclass(frozen=True)
class Dispatch:
    """How the assets ran, hour by hour (all arrays (T,) unless noted).

    Attributes
    ----------
    rule : str
        "optimised" (the MILP or :func:`optimizer.dispatch.optimal_dispatch`), "rule"
        (the baselines' rule) or "none" (no assets).
    facility_kw : ndarray
        Facility power, the cold tank's effect on the chillers included [kW].
    grid_kw : ndarray
        Import from the grid [kW].
    export_kw, curtailed_kw, onsite_kw : ndarray
        Generation exported, curtailed, produced [kW].
    battery_charge_kw, battery_discharge_kw : ndarray
        AC power into and out of the battery [kW].
    battery_soc_kwh : ndarray
        Stored energy at the end of each hour [kWh].
    cold_charge_kw_th, cold_discharge_kw_th : ndarray (P, T)
        Cold made for the tank by / taken from the tank for each pod's chillers [kW_th].
    cold_soc_kwh_th : ndarray
        Stored cold at the end of each hour [kWh_th].
    heat_delivered_kw_th : ndarray (P, T)
        Heat delivered to the heat customer from each pod [kW_th].
    """

    rule: str
    facility_kw: np.ndarray
    grid_kw: np.ndarray
    export_kw: np.ndarray
    curtailed_kw: np.ndarray
    onsite_kw: np.ndarray
    battery_charge_kw: np.ndarray
    battery_discharge_kw: np.ndarray
    battery_soc_kwh: np.ndarray
    cold_charge_kw_th: np.ndarray
    cold_discharge_kw_th: np.ndarray
    cold_soc_kwh_th: np.ndarray
    heat_delivered_kw_th: np.ndarray

    @staticmethod
    def without_assets(facility_kw: np.ndarray, n_pods: int) -> Dispatch:
        """The dispatch of a site with no asset: import = facility (a fleet's sites:
        ``facility_kw`` (S, T))."""
        n = facility_kw.shape[-1]
        z = np.zeros(n)
        return Dispatch("none", facility_kw, facility_kw.copy(), z, z.copy(), z.copy(),
                        z.copy(), z.copy(), z.copy(), np.zeros((n_pods, n)),
                        np.zeros((n_pods, n)), z.copy(), np.zeros((n_pods, n)))

    def window(self, sl: slice) -> Dispatch:
        """The hours ``sl``."""
        values = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value = value[..., sl]
            values[name] = value
        return Dispatch(**values)

    @staticmethod
    def concat(parts: list[Dispatch]) -> Dispatch:
        """Consecutive windows joined (the first part's rule)."""
        values = {"rule": parts[0].rule}
        for name in Dispatch.__dataclass_fields__:
            if name != "rule":
                values[name] = np.concatenate([getattr(p, name) for p in parts], axis=-1)
        return Dispatch(**values)


def stored_kwh(initial_kwh: float, charged_kwh: np.ndarray, released_kwh: np.ndarray,
               keep_per_h: float = 1.0) -> np.ndarray:
    """Stored energy at the end of each hour of a store with standing losses [kWh]:
    s_t = keep x s_{t-1} + charged_t - released_t, s_{-1} = ``initial_kwh``.

    ``charged`` and ``released`` are energy into and out of storage (after conversion
    losses); ``keep_per_h`` is the share kept over an hour (1 - standing loss).
    """
    net = np.asarray(charged_kwh, dtype=float) - np.asarray(released_kwh, dtype=float)
    if keep_per_h == 1.0:
        return initial_kwh + np.cumsum(net)
    out = np.empty(len(net))
    s = float(initial_kwh)
    for t, step in enumerate(net.tolist()):  # a recursion (8760 steps: ~2 ms)
        s = keep_per_h * s + step
        out[t] = s
    return out
