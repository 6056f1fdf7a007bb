"""The scenario's facility as the physics sees it: its parameters (defaults with the
scenario's ``[facility]`` overrides) and its pods as :class:`thermal.facility.Pod`.

A light module (no optimizer), so the app's pages and the reports can use it without
importing the scheduling stack.
"""

from __future__ import annotations

import dataclasses

from scenarios.errors import ScenarioError
from scenarios.schema import PodSpec, Scenario
from thermal.design_day import DesignConditions
from thermal.errors import ThermalInputError
from thermal.facility import FacilityParams, Pod, design_pod
from thermal.params import override


def facility_params(
    scenario: Scenario, design_day_c: tuple[float, float] | None = None
) -> FacilityParams:
    """The facility parameters: cited defaults with the scenario's overrides.

    Parameters
    ----------
    scenario : Scenario
    design_day_c : (dry-bulb, wet-bulb), optional
        The climate's design day [°C] (:attr:`scenarios.inputs.HourlyInputs.design_dry_bulb_c`),
        used where ``[facility.design]`` does not fix it; without it the physics reads the
        design day off the weather it simulates (right for a whole typical year, not for
        a run's few weeks).

    Raises
    ------
    ScenarioError
        An override the physics rejects (field ``facility``).
    """
    try:
        params = override(FacilityParams(), scenario.facility, where="facility")
    except ThermalInputError as exc:
        raise ScenarioError(str(exc), field="facility") from None
    own = params.design
    if design_day_c is not None:
        db, wb = design_day_c
        params = dataclasses.replace(params, design=DesignConditions(
            dry_bulb_c=db if params.design.dry_bulb_c is None else params.design.dry_bulb_c,
            wet_bulb_c=wb if params.design.wet_bulb_c is None else params.design.wet_bulb_c,
        ))  # fmt: skip
    _check_design(params.design, own)
    return params


def _check_design(design: DesignConditions, own: DesignConditions) -> None:
    """A design day whose wet-bulb is above its dry-bulb is refused (field
    ``facility.design``), saying when one value is the climate's (``own``: the scenario's)."""
    db, wb = design.dry_bulb_c, design.wet_bulb_c
    if db is None or wb is None or wb <= db:
        return
    given = ""
    if own.dry_bulb_c is None or own.wet_bulb_c is None:
        given = " (the value not given is the climate's 0.4 % design value; set both)"
    raise ScenarioError(
        f"wet_bulb_c = {wb:g} °C is above dry_bulb_c = {db:g} °C{given}; air's wet-bulb never "
        "exceeds its dry-bulb (ASHRAE's 0.4 % design wet-bulb is at or below the dry-bulb)",
        field="facility.design",
    )


def thermal_pod(spec: PodSpec) -> Pod:
    """A scenario pod as the physics' pod (not yet checked: see :func:`thermal_pods`)."""
    return Pod(
        name=spec.name,
        cooling=spec.cooling,
        racks=spec.racks,
        rack_kw=spec.rack_kw,
        water_class=spec.water_class,
        heat_rejection=spec.heat_rejection,
        economizer=spec.economizer,
        liquid_fraction=spec.liquid_fraction,
        air_class=spec.air_class,
    )


def thermal_pods(scenario: Scenario, params: FacilityParams) -> list[Pod]:
    """The scenario's pods as thermal pods, each checked (density limits and all).

    Raises
    ------
    ScenarioError
        The first pod the physics rejects, with its field (``pods[i]``).
    """
    pods = []
    for i, spec in enumerate(scenario.pods):
        pod = thermal_pod(spec)
        try:
            design_pod(pod, params)
        except ThermalInputError as exc:
            raise ScenarioError(str(exc), field=f"pods[{i}]") from None
        pods.append(pod)
    return pods
