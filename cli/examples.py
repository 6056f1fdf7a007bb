"""``coolshift examples``: list the built-in scenarios, print one, or copy them all."""

from __future__ import annotations

import argparse

from scenarios.tables import text_table


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("examples", help="list the built-in scenarios (or print / copy one)")
    ex.add_argument("--show", metavar="NAME", help="print a built-in scenario's TOML")
    ex.add_argument(
        "--write", metavar="DIR", help="copy every built-in scenario and fleet into a new folder DIR"
    )
    ex.add_argument(
        "--force",
        action="store_true",
        help="with --write: replace DIR if it is a folder coolshift wrote with --write",
    )
    ex.set_defaults(func=cmd_examples)


def cmd_examples(args: argparse.Namespace) -> int:
    from scenarios.library import example_names, example_text, load_example

    if args.show:
        from scenarios.fleet import fleet_names, fleet_text

        print(fleet_text(args.show) if args.show in fleet_names() else example_text(args.show),
              end="")
        return 0
    if args.write:
        from scenarios.fleet import fleet_names, fleet_text
        from scenarios.outputs import write_output

        names, fleets = example_names(), fleet_names()

        def fill(folder):
            for name in names:
                (folder / f"{name}.toml").write_text(example_text(name), encoding="utf-8")
            for name in fleets:  # its sites name built-in scenarios, found by name
                (folder / f"{name}.toml").write_text(fleet_text(name), encoding="utf-8")

        path = write_output(args.write, "examples", fill, force=args.force)
        print(f"wrote {len(names)} scenarios and {len(fleets)} fleet(s) to {path}")
        return 0
    rows = []
    for name in example_names():
        s = load_example(name)
        pods = ", ".join(f"{p.cooling} {p.rack_kw:g} kW" for p in s.pods)
        rows.append([name, s.site.name, f"{s.horizon.hours} h", pods])
    print(text_table(["Name", "Site", "Horizon", "Halls"], rows, left=4))
    from scenarios.fleet import fleet_names, load_fleet_arg

    fleets = []
    for name in fleet_names():
        fleet = load_fleet_arg(name)[0]
        fleets.append([name, ", ".join(f"{s.name} ({s.scenario})" for s in fleet.sites)])
    if fleets:
        print("\nFleets (several sites scheduled as one):\n")
        print(text_table(["Name", "Sites"], fleets, left=2))
    print("\nRun one with `coolshift run NAME`; print it with `coolshift examples --show NAME`.")
    return 0
