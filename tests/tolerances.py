"""Every numerical tolerance the tests use, in one place, with why it is that size."""

#: Hourly energy / heat balance of the facility model (relative). The ledger is exact
#: arithmetic, so only floating-point rounding may remain.
ENERGY_BALANCE_RTOL = 1e-9

#: Vectorised psychrometrics against psychrolib 2.5 (issue 2: within 0.1 K).
PSYCHRO_ATOL_K = 0.1

#: Synthetic weather against the real CSWD year: monthly mean dry-bulb [K] and annual
#: hours below thresholds (relative), issue 2.
SYNTHETIC_MONTHLY_MEAN_ATOL_K = 0.3
SYNTHETIC_HOURS_BELOW_RTOL = 0.05

#: Linear facility model (marginal factor + fixed) against full re-simulation for
#: +/-20 % IT load (relative), issue 2.
LINEARISATION_RTOL = 0.01

#: Optimizer: objective of a hand-checked optimum (relative). Tests solve with
#: rel_gap = 0, so HiGHS proves optimality up to its absolute gap (1e-6) and
#: feasibility tolerance (1e-7 on kW rows): only rounding remains.
OPTIMIZER_OBJECTIVE_RTOL = 1e-6

#: Optimizer: rolling horizon against the monolithic solve of the same month (issue 3:
#: within 1 %).
ROLLING_VS_MONOLITHIC_RTOL = 0.01

#: Reports: period, component and hourly sums against the run's KPIs (relative). The
#: report re-adds the same hourly floats in another order, so only rounding remains.
REPORT_SUM_RTOL = 1e-9
