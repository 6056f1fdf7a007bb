"""``coolshift size``: how many racks of each technology fit a grid connection and a floor.

Example::

    coolshift size --climate beijing --grid-kw 10000 --floor-m2 2500 --rack-kw 40

Each technology's racks are sized at full IT load on the climate's design day (ASHRAE
0.4 % dry-bulb and wet-bulb): the count is the largest whose facility power on that hour
stays within the grid connection and whose floor (m² per rack of the technology, from the
cost defaults) stays within the floor area.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from cli.thermal import CLIMATES, COOLING_TECHNOLOGIES, parse_cooling, parse_overrides, sized_params

#: Largest grid connection [kW]: 5 GW is beyond any campus.
MAX_GRID_KW = 5e6
#: Largest floor area [m²].
MAX_FLOOR_M2 = 1e7


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "size",
        help="how many racks of each cooling technology fit a grid connection and a floor area",
        description=(
            "Size racks of each technology at full IT load on the climate's design day "
            "(ASHRAE 0.4 %%) and count how many fit within a grid connection [kW] and, when "
            "given, a white-space floor area [m²]."
        ),
    )
    p.add_argument("--climate", default="greensboro",
                   help=f"built-in climate ({', '.join(CLIMATES)}) or an EPW / TMY3 / TMY2 file")
    p.add_argument("--grid-kw", type=float, required=True,
                   help="grid connection [kW]: facility power on the design hour stays within it")
    p.add_argument("--floor-m2", type=float, default=None,
                   help="white-space floor area [m²] (optional)")
    p.add_argument("--rack-kw", type=float, default=30.0, help="nameplate IT kW per rack")
    p.add_argument("--cooling", default=",".join(COOLING_TECHNOLOGIES),
                   help="comma-separated technologies (default: all that can cool the racks)")
    p.add_argument("--water-class", help="facility water class of liquid pods, e.g. W32")
    p.add_argument("--heat-rejection", choices=("tower", "dry_cooler", "hybrid"),
                   help="override the default heat rejection of every technology")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a facility default, e.g. air.chw_supply_c=12 (repeatable)")
    p.add_argument("--set-cost", action="append", default=[], metavar="KEY=VALUE",
                   help="override a cost default, e.g. immersion.m2_per_rack=3 (repeatable)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def fit_rows(args: argparse.Namespace, weather, techs: list[str], costs) -> list[dict[str, object]]:
    """One row per technology: racks by grid, by floor, the binding limit, IT kW."""
    from scenarios.costs import technology_cost
    from scenarios.schema import MAX_RACKS
    from thermal.errors import ThermalInputError
    from thermal.facility import max_rack_kw
    from thermal.sizing import racks_that_fit

    params = sized_params(args.set, weather)
    rows = []
    for tech in techs:
        limit = max_rack_kw(tech, params.technology)
        if args.rack_kw > limit:
            if args.cooling == ",".join(COOLING_TECHNOLOGIES):
                continue  # the default list skips what cannot cool the racks
            raise ThermalInputError(
                f"--rack-kw {args.rack_kw:g} exceeds the {tech} limit of {limit:g} kW per rack"
            )
        m2 = technology_cost(costs, tech).m2_per_rack
        fit = racks_that_fit(
            weather, tech, args.rack_kw, args.grid_kw,
            floor_m2=args.floor_m2, m2_per_rack=None if args.floor_m2 is None else m2,
            params=params,
            water_class=args.water_class if tech != "air" else None,
            heat_rejection=args.heat_rejection,
        )
        if fit.racks > MAX_RACKS:
            raise ThermalInputError(
                f"{fit.racks:,} {tech} racks of {args.rack_kw:g} kW would fit, above the "
                f"{MAX_RACKS:,} a scenario takes; raise --rack-kw or lower --grid-kw"
            )
        rows.append({
            "cooling": tech,
            "rack_kw": fit.rack_kw,
            "racks": fit.racks,
            "racks_by_grid": fit.racks_by_grid,
            "racks_by_floor": fit.racks_by_floor,
            "limited_by": fit.limited_by,
            "it_kw": fit.it_kw,
            "design_facility_kw_per_rack": fit.design_facility_kw_per_rack,
            "m2_per_rack": m2,
            "design_dry_bulb_c": params.design.dry_bulb_c,
            "design_wet_bulb_c": params.design.wet_bulb_c,
        })
    return rows


def run(args: argparse.Namespace) -> int:
    from scenarios.costs import cost_params
    from scenarios.schema import MAX_RACK_KW
    from scenarios.tables import text_table
    from thermal.errors import ThermalInputError
    from thermal.weather import load_climate

    if not (math.isfinite(args.grid_kw) and 0 < args.grid_kw <= MAX_GRID_KW):
        raise ThermalInputError(f"--grid-kw must be a number of kW above 0 and at most {MAX_GRID_KW:,.0f}, got {args.grid_kw}")
    if args.floor_m2 is not None and not (math.isfinite(args.floor_m2) and 0 < args.floor_m2 <= MAX_FLOOR_M2):
        raise ThermalInputError(f"--floor-m2 must be a number of m² above 0 and at most {MAX_FLOOR_M2:,.0f}, got {args.floor_m2}")
    if not (math.isfinite(args.rack_kw) and 0 < args.rack_kw <= MAX_RACK_KW):
        raise ThermalInputError(f"--rack-kw must be a number of kW above 0 and at most {MAX_RACK_KW:g}, got {args.rack_kw}")
    # every flag is checked before the weather is read
    techs = parse_cooling(args.cooling)
    costs = cost_params(parse_overrides(args.set_cost, "--set-cost", "immersion.m2_per_rack=3"), "USD")
    weather = load_climate(args.climate)
    rows = fit_rows(args, weather, techs, costs)
    if not rows:
        raise ThermalInputError(f"no cooling technology can cool {args.rack_kw:g} kW racks; lower --rack-kw")
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    floor = "" if args.floor_m2 is None else f" and {args.floor_m2:,.0f} m² of white space"
    print(
        f"coolshift size: {args.rack_kw:g} kW racks in a {args.grid_kw:,.0f} kW grid connection{floor}, "
        f"{weather.attrs.get('name')} design day {rows[0]['design_dry_bulb_c']:.1f} °C dry-bulb, "
        f"{rows[0]['design_wet_bulb_c']:.1f} °C wet-bulb (ASHRAE 0.4 %)\n"
    )
    headers = ["Cooling", "Racks", "By grid", "By floor", "Limited by", "IT kW", "Design kW/rack", "m²/rack"]
    body = [
        [r["cooling"], f"{r['racks']:,}", f"{r['racks_by_grid']:,}",
         "-" if r["racks_by_floor"] is None else f"{r['racks_by_floor']:,}", r["limited_by"],
         f"{r['it_kw']:,.0f}", f"{r['design_facility_kw_per_rack']:.2f}", f"{r['m2_per_rack']:g}"]
        for r in rows
    ]
    print(text_table(headers, body))
    print("\nDesign kW/rack = facility power per rack at full IT load on the design day; a "
          "rack count fits when the whole hall's\nfacility power on that hour is within the "
          "grid connection (sized hall by hall, not pro rata).")
    return 0
