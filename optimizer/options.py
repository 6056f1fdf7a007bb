"""Frozen option objects: site limits, objective weights and solver options."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.errors import ScheduleInputError


@dataclass(frozen=True)
class Limits:
    """Site-wide limits.

    Attributes
    ----------
    grid_limit_kw : float or None
        Maximum facility power drawn from the grid in any hour [kW]; None for no limit.
    """

    grid_limit_kw: float | None = None


#: The stages of one solve, in the order they run (optimizer.pipeline.STAGES).
STAGE_NAMES = ("baselines", "lp", "local_search", "ruin_recreate", "milp")
#: When a horizon is solved in rolling windows (SolverOptions.rolling).
ROLLING = ("auto", "always", "never")

#: How demand charges of months the horizon covers in part are billed (see Objective).
BILLING = ("prorated", "full_month")


@dataclass(frozen=True)
class Objective:
    """What the schedule minimises.

    objective = cost_weight * (energy cost + demand charge)
    + carbon_weight * carbon_price_per_t * carbon [t]

    Attributes
    ----------
    carbon_price_per_t : float
        Price put on emissions [currency / t CO2]; 0 by default (judgement: a carbon price
        is a scenario choice, not a physical fact).
    demand_charge_per_kw : float
        Charge per kW of each calendar month's peak facility power [currency / kW / month],
        as in China's two-part tariff (元/kW·月); 0 by default (judgement).
    billing : str
        How a month that the horizon covers only in part is charged. "prorated" (default):
        the month's charge times the share of the month's hours inside the horizon, so a
        30-day run costs about the same wherever it starts (the usual way a partial
        billing period is settled, and the only fair basis for comparing runs of
        different lengths); "full_month": the whole month's charge, for utilities that
        bill every month touched in full.
    cost_weight, carbon_weight : float
        Weights of money and of carbon money; 1 and 1 by default (judgement: plain
        sum of both in one currency).
    """

    carbon_price_per_t: float = 0.0
    demand_charge_per_kw: float = 0.0
    cost_weight: float = 1.0
    carbon_weight: float = 1.0
    billing: str = "prorated"

    def __post_init__(self) -> None:
        for name in ("carbon_price_per_t", "demand_charge_per_kw", "cost_weight", "carbon_weight"):
            value = getattr(self, name)
            if not (value >= 0.0):  # also rejects NaN
                raise ScheduleInputError(f"objective {name} must be >= 0, got {value!r}")
        if self.billing not in BILLING:
            raise ScheduleInputError(
                f"objective billing must be one of {', '.join(BILLING)}, got {self.billing!r}"
            )


@dataclass(frozen=True)
class SolverOptions:
    """Options of the HiGHS solve and of the rolling horizon.

    Attributes
    ----------
    time_limit_s : float or None
        Wall-clock limit of the whole optimisation [s], from the call of
        :func:`optimizer.solve_schedule` / :func:`optimizer.solve_problem` to its result:
        baselines, model builds, LP relaxation, heuristics and HiGHS's MILP together;
        rolling windows share it. None for no limit. 60 s by default (judgement:
        interactive use). It is only exceeded when no schedule at all has been found by
        then: HiGHS then gets up to the limit again, at most
        ``optimizer.pipeline.FIRST_SOLUTION_S``, for a first one.
    rel_gap : float
        Relative MIP gap at which HiGHS stops [-]; 1e-3 by default (issue 3; HiGHS's own
        default is 1e-4).
    threads : int
        HiGHS threads; 1 by default (reference/scheduling.md: the MIP solver gains little
        from threads; one single-threaded HiGHS per worker process).
    window_h : int
        Rolling-horizon window [h]; 168 by default (DESIGN.md).
    step_h : int
        Hours committed per rolling window [h]; 24 by default (DESIGN.md).
    rolling : str
        "auto" (default): roll only when the whole horizon would not fit the time limit
        or memory (:func:`optimizer.rolling.rolling_decision`, a measured rule);
        "always": roll whenever the horizon is longer than ``window_h``; "never": one
        piece whatever its size.
    warm_start : bool
        Run the LP relaxation and the heuristics and pass their best schedule to HiGHS
        as a MIP start (docs/optimizer.md, "The solve"); True by default. False: HiGHS
        alone, from no start.
    stages : tuple of str
        Stages of :data:`optimizer.pipeline.STAGES` to run (all by default; for
        measuring what each is worth).
    interface : str
        "direct" (default): the Pyomo model's rows, which the constraint-family functions
        record as sparse triplets, go to highspy in one call; "pyomo": Pyomo's own
        ``SolverFactory('highs')`` interface (slower to load, no MIP start). Both solve
        the same Pyomo model; see docs/optimizer.md.
    """

    time_limit_s: float | None = 60.0
    rel_gap: float = 1e-3
    threads: int = 1
    window_h: int = 168
    step_h: int = 24
    warm_start: bool = True
    interface: str = "direct"
    rolling: str = "auto"
    stages: tuple = STAGE_NAMES

    def __post_init__(self) -> None:
        if self.time_limit_s is not None and not (self.time_limit_s > 0):
            raise ScheduleInputError(f"time_limit_s must be > 0 or None, got {self.time_limit_s!r}")
        if not (0.0 <= self.rel_gap < 1.0):
            raise ScheduleInputError(f"rel_gap must be in [0, 1), got {self.rel_gap!r}")
        if int(self.threads) != self.threads or self.threads < 1:
            raise ScheduleInputError(f"threads must be a positive integer, got {self.threads!r}")
        if int(self.step_h) != self.step_h or self.step_h < 1:
            raise ScheduleInputError(f"step_h must be a positive integer, got {self.step_h!r}")
        if int(self.window_h) != self.window_h or self.window_h < self.step_h:
            raise ScheduleInputError(
                f"window_h must be an integer >= step_h ({self.step_h}), got {self.window_h!r}"
            )
        if self.rolling not in ROLLING:
            raise ScheduleInputError(
                f"rolling must be one of {', '.join(ROLLING)}, got {self.rolling!r}")
        unknown = [s for s in self.stages if s not in STAGE_NAMES]
        if unknown or "baselines" not in self.stages:
            raise ScheduleInputError(
                f"stages must include 'baselines' and name only {', '.join(STAGE_NAMES)}; "
                f"got {list(self.stages)}")
        if self.interface not in ("direct", "pyomo"):
            raise ScheduleInputError(
                f"interface must be 'direct' or 'pyomo', got {self.interface!r}"
            )


#: Immutable defaults, shared as argument defaults.
DEFAULT_LIMITS = Limits()
DEFAULT_OBJECTIVE = Objective()
DEFAULT_OPTIONS = SolverOptions()
