"""coolshift thermal: weather + IT load -> hourly facility power, heat and water.

A physics library with plain numpy / pandas inputs; it imports nothing from the rest of
coolshift. Main entry points:

* :func:`thermal.weather.load_climate` - hourly weather by name or file
* :class:`thermal.facility.Pod`, :class:`thermal.facility.FacilityParams`
* :func:`thermal.simulate.simulate_pod`, :func:`thermal.simulate.simulate_site`
* :func:`thermal.summary.period_summary` - PUE, pPUE, TUE, WUE, ...
* :func:`thermal.coefficients.scheduler_coefficients` - linear model for the scheduler
* :func:`thermal.heat_reuse.heat_reuse_site` - heat delivered to a heat network, ERF;
  :func:`thermal.heat_reuse_coefficients.heat_reuse_coefficients` - its linear terms
"""

from thermal.coefficients import linear_facility_kw, scheduler_coefficients
from thermal.errors import ThermalInputError
from thermal.facility import COOLING_TECHNOLOGIES, FacilityParams, Pod, design_pod
from thermal.params import describe, override
from thermal.simulate import simulate_pod, simulate_site
from thermal.summary import period_summary
from thermal.weather import list_climates, load_climate

__all__ = [
    "COOLING_TECHNOLOGIES",
    "FacilityParams",
    "Pod",
    "ThermalInputError",
    "describe",
    "design_pod",
    "linear_facility_kw",
    "list_climates",
    "load_climate",
    "override",
    "period_summary",
    "scheduler_coefficients",
    "simulate_pod",
    "simulate_site",
]
