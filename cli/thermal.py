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

#: The technologies (kept here so that building the parser imports no physics; a unit
#: test keeps it equal to thermal.facility.COOLING_TECHNOLOGIES).
COOLING_TECHNOLOGIES = ("air", "cold_plate", "immersion", "spray", "two_phase_immersion")
#: Built-in climates (kept in step with thermal.weather.list_climates by a unit test).
CLIMATES = ("greensboro", "sand-point", "miami", "beijing", "chengdu", "shanghai", "urumqi")

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
#: The plant and money table: key, header, format.
PLANT_COLUMNS = (
    ("design_facility_kw", "Design kW", "{:,.0f}"),
    ("chiller_kw_th", "Chillers kWth", "{:,.0f}"),
    ("heat_rejection_kw_th", "Rejection kWth", "{:,.0f}"),
    ("cdu_kw_th", "CDU kWth", "{:,.0f}"),
    ("grid_margin_kw", "Worst-h margin kW", "{:+,.0f}"),
    ("capex_millions", "Capex M", "{:,.2f}"),
    ("tco_per_year_millions", "TCO/yr M", "{:,.2f}"),
    ("tco_per_mwh_compute", "TCO/MWh", "{:,.1f}"),
    ("payback_years_vs_air", "Payback y", "{}"),
    ("npv_vs_air_millions", "NPV vs air M", "{}"),
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
        help=f"built-in climate ({', '.join(CLIMATES)}) or an EPW / TMY3 / TMY2 file",
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
    p.add_argument(
        "--price",
        type=float,
        default=None,
        metavar="PER_KWH",
        help="flat energy price per kWh in --currency (default: 0.08 USD, the US industrial "
        "average of 2023, U.S. EIA, converted)",
    )
    p.add_argument("--currency", default="USD",
                   help="currency of the price and the costs (default USD; CNY and EUR "
                   "convert the US-dollar cost defaults at 2023 average rates)")
    p.add_argument(
        "--set-cost",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a cost default, e.g. discount_rate=0.06 or immersion.rack_usd=3000 "
        "(repeatable; docs/costs.md lists them)",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def parse_overrides(
    items: list[str], option: str = "--set", example: str = "air.chw_supply_c=12"
) -> dict[str, object]:
    """``["air.chw_supply_c=12", "technology.cold_plate_water_class=W40"]`` as a mapping."""
    from thermal.errors import ThermalInputError

    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ThermalInputError(f"{option} {item!r}: use KEY=VALUE, e.g. {example}")
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


def describe_design(design, params) -> str:
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


def parse_cooling(text: str) -> list[str]:
    """``--cooling air,immersion`` as a list of known technologies (exit 2 otherwise)."""
    from thermal.errors import ThermalInputError

    techs = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in techs if t not in COOLING_TECHNOLOGIES]
    if unknown or not techs:
        raise ThermalInputError(
            f"--cooling {text!r}: use a comma-separated list of {', '.join(COOLING_TECHNOLOGIES)}"
        )
    return techs


def sized_params(overrides: list[str], weather):
    """The facility defaults with ``--set`` overrides, the design day read off ``weather``
    where ``facility.design`` does not fix it."""
    from thermal.facility import FacilityParams
    from thermal.params import override
    from thermal.simulate import weather_arrays, with_design_conditions

    params = override(FacilityParams(), parse_overrides(overrides), where="facility")
    return with_design_conditions(params, weather_arrays(weather, params))


def compare_technologies(args: argparse.Namespace, weather) -> list[dict[str, object]]:
    """One row of annual indicators, plant size and money per requested technology."""
    import dataclasses

    from scenarios.options import compare_options, finite_or_none
    from thermal.errors import ThermalInputError
    from thermal.facility import Pod, design_pod
    from thermal.weather import warmed

    techs = parse_cooling(args.cooling)
    if not (0.0 <= args.utilisation <= 1.0) or math.isnan(args.utilisation):
        raise ThermalInputError(f"--utilisation must be within 0..1, got {args.utilisation}")
    # the plant is sized for the climate as it is; a --warm-k climate then tests it
    params = sized_params(args.set, weather)
    year = warmed(weather, args.warm_k) if args.warm_k else weather
    pods = [
        Pod(
            name=tech,
            cooling=tech,
            racks=args.racks,
            rack_kw=args.rack_kw,
            water_class=args.water_class if tech != "air" else None,
            heat_rejection=args.heat_rejection,
            utilisation=args.utilisation,
        )
        for tech in techs
    ]
    designs = [design_pod(pod, params) for pod in pods]  # refuse a bad pod before the work
    options = compare_options(
        weather,
        pods,
        params,
        price_per_kwh=args.price,
        currency=args.currency.upper(),
        cost_changes=parse_overrides(args.set_cost, "--set-cost", "discount_rate=0.06"),
        simulated_weather=year,
    )
    rows = []
    for design, option in zip(designs, options, strict=True):
        s, cost, vs = option.sizing, option.tco, option.versus_air
        rows.append(
            {
                "cooling": option.cooling,
                "climate": weather.attrs.get("name", str(args.climate)),
                "warm_k": args.warm_k,
                "design": describe_design(design, params),
                "design_dry_bulb_c": s.design_dry_bulb_c,
                "design_wet_bulb_c": s.design_wet_bulb_c,
                **option.summary,
                "design_facility_kw": s.design_facility_kw,
                "design_pue": s.design_pue,
                "ups_kw": s.ups_kw,
                "chiller_kw_th": s.chiller_kw_th,
                "chiller_load_kw_th": s.chiller_load_kw_th,
                "heat_rejection": s.heat_rejection,
                "heat_rejection_kw_th": s.heat_rejection_kw_th,
                "air_handling_kw_th": s.air_handling_kw_th,
                "cdu_kw_th": s.cdu_kw_th,
                "pump_kw": s.pump_kw,
                "grid_connection_kw": s.design_facility_kw,
                "worst_hour": str(option.worst.timestamp),
                "worst_hour_facility_kw": option.worst.facility_kw,
                "grid_margin_kw": option.worst.grid_margin_kw,
                "chiller_margin_kw_th": option.worst.chiller_margin_kw_th,
                "currency": cost.currency,
                "capex": cost.capex.total,
                "capex_by_component": cost.capex.by_component,
                "capex_per_kw_it": cost.capex.per_kw_it,
                "floor_m2": cost.capex.floor_m2,
                "annualised_capex": cost.annualised_capex,
                "opex_per_year": cost.annual.total,
                "opex_by_item": dataclasses.asdict(cost.annual),
                "tco_per_year": cost.per_year,
                "tco_per_mwh_compute": finite_or_none(cost.per_mwh_compute),
                "payback_years_vs_air": None if vs is None else finite_or_none(vs.payback_years),
                "npv_vs_air": None if vs is None else vs.npv,
            }
        )
    return rows


def _plant_cells(row: dict[str, object]) -> dict[str, object]:
    payback = row["payback_years_vs_air"]
    npv = row["npv_vs_air"]
    return {
        **row,
        "capex_millions": row["capex"] / 1e6,
        "tco_per_year_millions": row["tco_per_year"] / 1e6,
        "payback_years_vs_air": "-" if row["cooling"] == "air" or npv is None
        else ("never" if payback is None else f"{payback:.1f}"),
        "npv_vs_air_millions": "-" if row["cooling"] == "air" or npv is None else f"{npv / 1e6:+,.2f}",
    }


def format_table(rows: list[dict[str, object]], header: str) -> str:
    """The comparison as fixed-width text tables of :data:`TABLE_COLUMNS` and
    :data:`PLANT_COLUMNS`."""
    from scenarios.tables import text_table

    headers = ["Cooling"] + [h for _, h, _ in TABLE_COLUMNS]
    body = [[str(r["cooling"])] + [fmt.format(r[k]) for k, _, fmt in TABLE_COLUMNS] for r in rows]
    cells = [_plant_cells(r) for r in rows]
    plant_headers = ["Cooling"] + [h for _, h, _ in PLANT_COLUMNS]
    plant = [[str(c["cooling"])] + [fmt.format(c[k]) for k, _, fmt in PLANT_COLUMNS] for c in cells]
    currency = rows[0]["currency"] if rows else ""
    return (
        f"{header}\n\n{text_table(headers, body)}\n\n"
        f"Plant at full IT load on the design day, and money over the plant's life "
        f"({currency}; M = millions):\n\n{text_table(plant_headers, plant)}"
    )


def run(args: argparse.Namespace) -> int:
    from scenarios.schema import MAX_RACK_KW, MAX_RACKS
    from thermal.errors import ThermalInputError
    from thermal.weather import load_climate

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
    if args.price is not None and not (math.isfinite(args.price) and 0 <= args.price <= 1000):
        raise ThermalInputError(
            f"--price must be a price per kWh from 0 to 1,000, got {args.price} (per MWh? "
            "divide by 1,000)"
        )
    if not (len(args.currency) == 3 and args.currency.isalpha()):
        raise ThermalInputError(f"--currency must be a three-letter code such as USD, CNY or "
                                f"EUR, got {args.currency!r}")
    from scenarios.costs import cost_params

    parse_cooling(args.cooling)  # a bad list or cost setting fails before the weather is read
    cost_params(parse_overrides(args.set_cost, "--set-cost", "discount_rate=0.06"),
                args.currency.upper())
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
        "\nDesign kW = facility power at full IT load on the design day (the grid connection); "
        "worst-h margin = that\nminus the year's highest hour at full load (< 0: the year has "
        "hotter hours than the 0.4 % design day);\ncapex, TCO (annualised capex + energy, "
        "water, maintenance, coolant per year) and NPV vs air: docs/costs.md."
    )
    print(
        "\nPUE = facility / IT energy; TUE = facility / compute energy (server fans count "
        "against IT);\nWUE = site water / IT energy; free-cooling h = hours in which "
        "compressors remove at most 5 % of the heat;\nchiller-free % = share of the heat "
        "removed without compressors; unmet h / MWh = hours and heat the plant could not remove\n"
        "(with unmet heat, PUE and WUE flatter the plant: that heat cost no energy)."
    )
    return 0
