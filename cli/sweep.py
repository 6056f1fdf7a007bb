"""``coolshift sweep``: the Cartesian product of ``--set KEY=V1,V2`` values, run as a batch."""

from __future__ import annotations

import argparse
import itertools
import math
import sys

from cli.run import execute, run_options
from scenarios.errors import ScenarioError

#: Most variants one sweep runs (a larger product is almost always a typo).
MAX_VARIANTS = 1000


def register(sub: argparse._SubParsersAction) -> None:
    sw = sub.add_parser("sweep", help="run the Cartesian product of --set values")
    sw.add_argument("scenario", metavar="SCENARIO|NAME")
    sw.add_argument(
        "--set",
        action="append",
        required=True,
        metavar="KEY=V1,V2",
        help="e.g. pods[0].rack_kw=20,30 or grid.price.tariff=cn-beijing-two-part,cn-generic-ndrc",
    )
    run_options(sw)
    sw.set_defaults(func=cmd_sweep)


def parse_values(text: str) -> list:
    """``"20,30.5,true,abc"`` -> ``[20, 30.5, True, "abc"]`` (each value typed as TOML
    would type it; a value that is no number nor true/false stays text)."""
    out: list = []
    for raw in text.split(","):
        raw = raw.strip()
        if raw.lower() in ("true", "false"):
            out.append(raw.lower() == "true")
            continue
        for cast in (int, float):
            try:
                out.append(cast(raw))
                break
            except ValueError:
                continue
        else:
            out.append(raw)
    return out


def parse_axes(items: list[str]) -> list[tuple[str, list]]:
    """``--set`` items as (key, values) axes.

    Raises
    ------
    ScenarioError
        A malformed item, a key or a value given twice, or more than :data:`MAX_VARIANTS` variants.
    """
    axes: list[tuple[str, list]] = []
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or not key or not values.strip():
            raise ScenarioError(f"--set {item!r}: use KEY=V1,V2,... e.g. pods[0].rack_kw=20,30")
        if any(key == k for k, _ in axes):
            raise ScenarioError(f"--set {key}: given twice; list all its values in one --set")
        parsed = parse_values(values)
        repeated = [v for i, v in enumerate(parsed) if v in parsed[:i]]
        if repeated:
            raise ScenarioError(f"--set {key}: the value {repeated[0]!r} is given twice; "
                                "give each value once")
        axes.append((key, parsed))
    count = math.prod(len(v) for _, v in axes)
    if count > MAX_VARIANTS:
        raise ScenarioError(
            f"--set: {count:,} variants; a sweep runs at most {MAX_VARIANTS:,} (fewer values "
            "per key, or several sweeps)"
        )
    return axes


def cmd_sweep(args: argparse.Namespace) -> int:
    from scenarios.fleet import FleetJob, fleet_from_dict, is_fleet_arg, load_fleet_arg
    from scenarios.library import resolve_scenario_arg
    from scenarios.loading import apply_settings, scenario_from_dict

    fleet = is_fleet_arg(args.scenario)
    base, data, base_dir = (load_fleet_arg if fleet else resolve_scenario_arg)(args.scenario)
    axes = parse_axes(args.set)
    scenarios = []
    for combo in itertools.product(*(values for _, values in axes)):
        settings = dict(zip((k for k, _ in axes), combo, strict=True))
        label = ",".join(f"{k.split('.')[-1]}={v}" for k, v in settings.items())
        variant = apply_settings(data, settings, file=args.scenario)
        variant["name"] = f"{base.name}[{label}]"
        file = f"{args.scenario} with {label}"
        if fleet:  # a fleet's variants: each a fleet (FleetJob), run like a scenario
            scenarios.append(FleetJob(fleet_from_dict(variant, file=file, base_dir=base_dir),
                                      base_dir))
        else:
            scenarios.append(scenario_from_dict(variant, file=file, base_dir=base_dir))
    print(f"coolshift sweep: {len(scenarios)} variants of {base.name}", file=sys.stderr)
    return execute(scenarios, args)
