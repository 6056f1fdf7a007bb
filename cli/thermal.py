"""``coolshift thermal``: compare cooling technologies for one hall over a year.

Example::

    coolshift thermal --climate greensboro --cooling air,cold_plate,immersion \\
        --rack-kw 30 --racks 50
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import pandas as pd

from scenarios.tables import text_table
from thermal.errors import ThermalInputError
from thermal.facility import COOLING_TECHNOLOGIES, FacilityParams, Pod, PodDesign, design_pod
from thermal.params import override
from thermal.simulate import simulate_pod, weather_arrays, with_design_conditions
from thermal.summary import period_summary
from thermal.weather import list_climates, load_climate, warmed

#: Columns of the comparison: key, header, format.
TABLE_COLUMNS = (
    ("pue", "PUE", "{:.3f}"),
    ("ppue_cooling", "pPUE cool", "{:.3f}"),
    ("tue", "TUE", "{:.3f}"),
    ("wue_l_per_kwh", "WUE L/kWh", "{:.2f}"),
    ("it_mwh", "IT MWh", "{:,.0f}"),
    ("facility_mwh", "Facility MWh", "{:,.0f}"),
    ("free_cooling_h", "Free-cool h", "{:,.0f}"),
    ("free_cooling_share", "Chiller-free %", "{:.0%}"),
    ("peak_facility_kw", "Peak kW", "{:,.0f}"),
    ("hours_outside_air_class", "h outside ASHRAE", "{:,.0f}"),
    ("unmet_heat_h", "Unmet h", "{:,.0f}"),
    ("unmet_heat_mwh", "Unmet MWh", "{:,.1f}"),
)
#: Largest --warm-k [K]: beyond it the weather leaves what the psychrometrics are fit for.
MAX_WARM_K = 15.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "thermal",
        help="annual PUE, TUE, WUE of air / cold-plate / immersion cooling for one hall",
        description=(
            "Simulate a hall of racks for a typical year, once per cooling technology, and "
            "print annual indicators."
        ),
    )
    p.add_argument(
        "--climate",
        default="greensboro",
        help=f"built-in climate ({', '.join(list_climates())}) or an EPW / TMY3 / TMY2 file",
    )
    p.add_argument(
        "--cooling",
        default=",".join(COOLING_TECHNOLOGIES),
        help="comma-separated technologies (default: all)",
    )
    p.add_argument("--rack-kw", type=float, default=30.0, help="nameplate IT kW per rack")
    p.add_argument("--racks", type=int, default=50, help="number of racks")
    p.add_argument(
        "--utilisation", type=float, default=1.0, help="compute load as a share of design, 0..1"
    )
    p.add_argument("--water-class", help="facility water class of liquid pods, e.g. W32")
    p.add_argument(
        "--heat-rejection",
        choices=("tower", "dry_cooler", "hybrid"),
        help="override the default heat rejection of every technology",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a facility default, e.g. air.chw_supply_c=12 (repeatable)",
    )
    p.add_argument(
        "--warm-k",
        type=float,
        default=0.0,
        metavar="K",
        help="shift the climate's dry-bulb and dew point by K (a heat wave or a warmer "
        "future) while the plant stays sized for the climate as it is",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def parse_overrides(items: list[str]) -> dict[str, object]:
    """``["air.chw_supply_c=12", "technology.cold_plate_water_class=W40"]`` as a mapping."""
    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ThermalInputError(f"--set {item!r}: use KEY=VALUE, e.g. air.chw_supply_c=12")
        raw = raw.strip()
        value: object
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            try:
                value = int(raw)
            except ValueError:
                try:
                    value = float(raw)
                except ValueError:
                    value = raw
        out[key.strip()] = value
    return out


def describe_design(design: PodDesign, params: FacilityParams) -> str:
    """One line saying how a pod is cooled (the defaults that matter most)."""
    pod = design.pod
    rejection = design.heat_rejection.replace("_", " ")
    air_rejection = design.air_heat_rejection.replace("_", " ")
    air_part = f"chilled water {design.chw_supply_c:g}/{design.chw_return_c:g} °C"
    if pod.economizer == "water_side":
        air_part += f" + water-side economizer via {air_rejection}s"
    elif pod.economizer == "air_side":
        air_part += " + air-side economizer"
    if design.liquid_fraction == 0:
        return f"{air_part}; {pod.air_class} inlet"
    return (
        f"W{design.fws_supply_c:g} facility water to {rejection} coolers with trim chiller, "
        f"{design.liquid_fraction:.0%} of compute heat to liquid; rest by {air_part}"
    )


def compare_technologies(
    args: argparse.Namespace, weather: pd.DataFrame
) -> list[dict[str, object]]:
    """One row of annual indicators per requested technology."""
    techs = [t.strip() for t in args.cooling.split(",") if t.strip()]
    unknown = [t for t in techs if t not in COOLING_TECHNOLOGIES]
    if unknown or not techs:
        raise ThermalInputError(
            f"--cooling {args.cooling!r}: use a comma-separated list of "
            f"{', '.join(COOLING_TECHNOLOGIES)}"
        )
    if not (0.0 <= args.utilisation <= 1.0) or math.isnan(args.utilisation):
        raise ThermalInputError(f"--utilisation must be within 0..1, got {args.utilisation}")
    params = override(FacilityParams(), parse_overrides(args.set), where="facility")
    # the plant is sized for the climate as it is; a --warm-k climate then tests it
    params = with_design_conditions(params, weather_arrays(weather, params))
    if args.warm_k:
        weather = warmed(weather, args.warm_k)
    rows = []
    for tech in techs:
        pod = Pod(
            name=tech,
            cooling=tech,
            racks=args.racks,
            rack_kw=args.rack_kw,
            water_class=args.water_class if tech != "air" else None,
            heat_rejection=args.heat_rejection,
            utilisation=args.utilisation,
        )
        design = design_pod(pod, params)
        summary = period_summary(simulate_pod(weather, pod, params=params))
        rows.append(
            {
                "cooling": tech,
                "climate": weather.attrs.get("name", str(args.climate)),
                "warm_k": args.warm_k,
                "design": describe_design(design, params),
                "design_dry_bulb_c": params.design.dry_bulb_c,
                "design_wet_bulb_c": params.design.wet_bulb_c,
                **summary,
            }
        )
    return rows


def format_table(rows: list[dict[str, object]], header: str) -> str:
    """The comparison as a fixed-width text table of :data:`TABLE_COLUMNS`."""
    headers = ["Cooling"] + [h for _, h, _ in TABLE_COLUMNS]
    body = [[str(r["cooling"])] + [fmt.format(r[k]) for k, _, fmt in TABLE_COLUMNS] for r in rows]
    return f"{header}\n\n{text_table(headers, body)}"


def run(args: argparse.Namespace) -> int:
    from scenarios.schema import MAX_RACK_KW, MAX_RACKS

    if not 1 <= args.racks <= MAX_RACKS:
        raise ThermalInputError(f"--racks must be a whole number from 1 to {MAX_RACKS:,}, got {args.racks}")
    if not (math.isfinite(args.rack_kw) and 0 < args.rack_kw <= MAX_RACK_KW):
        raise ThermalInputError(
            f"--rack-kw must be a number of kW above 0 and at most {MAX_RACK_KW:g}, got {args.rack_kw}"
        )
    if not (math.isfinite(args.utilisation) and 0 < args.utilisation <= 1):
        raise ThermalInputError(
            f"--utilisation must be above 0 and at most 1 (a hall with no load has no PUE), "
            f"got {args.utilisation}"
        )
    if not (math.isfinite(args.warm_k) and abs(args.warm_k) <= MAX_WARM_K):
        raise ThermalInputError(
            f"--warm-k must be a number of K from -{MAX_WARM_K:g} to {MAX_WARM_K:g}, got "
            f"{args.warm_k}"
        )
    weather = load_climate(args.climate)
    rows = compare_technologies(args, weather)
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    header = (
        f"coolshift thermal: {args.racks} racks x {args.rack_kw:g} kW nameplate, utilisation "
        f"{args.utilisation:.0%}, typical year at {weather.attrs.get('name')} "
        f"({weather.attrs.get('source')})"
        + (f", {args.warm_k:+g} K warmer" if args.warm_k else "")
        + f"\nplant sized for the design day: {rows[0]['design_dry_bulb_c']:.1f} °C dry-bulb, "
        f"{rows[0]['design_wet_bulb_c']:.1f} °C wet-bulb (ASHRAE 0.4 %)"
    )
    print(format_table(rows, header))
    print()
    for row in rows:
        print(f"{row['cooling']}: {row['design']}")
    print(
        "\nPUE = facility / IT energy; TUE = facility / compute energy (server fans count "
        "against IT);\nWUE = site water / IT energy; free-cooling h = hours in which "
        "compressors remove at most 5 % of the heat;\nchiller-free % = share of the heat "
        "removed without compressors; unmet h / MWh = hours and heat the plant could not remove\n"
        "(with unmet heat, PUE and WUE flatter the plant: that heat cost no energy)."
    )
    return 0
