"""``coolshift report RUN_DIR... --format pdf,html,xlsx [--out PATH]``.

A fleet run directory (``coolshift run east-west --out DIR``) is reported alone, with the
fleet report (sites, flows home -> site, savings by lever, a compact section per site).

Expected failures raise ScenarioError (exit 2, one message). Reports are written only
where nothing is, or over earlier coolshift reports with ``--force``
(:mod:`scenarios.outputs`).
"""

from __future__ import annotations

import argparse

#: The formats (kept here too so that building the CLI parser imports no renderer).
FORMATS = ("pdf", "html", "xlsx")


def run(args: argparse.Namespace) -> int:
    """Render the reports and print the path of every file written."""
    from reports.output import write_reports

    paths = write_reports(args.run_dirs, args.format, args.out, force=args.force,
                          eed=True if args.eed else None)
    for path in paths:
        print(path)
    return 0


def register(subparsers) -> None:
    """Add the ``report`` subcommand to the coolshift parser."""
    p = subparsers.add_parser(
        "report",
        help="render finished run directories as PDF, HTML and XLSX reports",
        description=(
            "Render one or more run directories (from `coolshift run --out DIR`) as reports "
            "for sustainability teams: executive summary, KPIs with their standards, energy "
            "by component, Scope 2 both ways, scheduling effect, PUE targets, EU EED fields, "
            "methodology and sources. Several runs get a comparison first. A fleet run "
            "directory, given alone, gets the fleet report: the sites against their PUE "
            "targets, where the work went (home -> site), the savings against everything at "
            "home and the cheapest site, by lever, and a compact section per site (the full "
            "one: coolshift report FLEET_DIR/sites/NAME)."
        ),
    )
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR",
                   help="finished run directories, or one fleet run directory")
    p.add_argument(
        "--format",
        default="pdf,html,xlsx",
        help=f"comma-separated formats among {', '.join(FORMATS)} (default: all three)",
    )
    p.add_argument(
        "--out",
        default=None,
        help=(
            "a file (one format) or a folder (several formats); default: RUN_DIR/report.EXT "
            "for one run, ./report-YYYYmmdd-HHMMSS/ for several"
        ),
    )
    p.add_argument(
        "--force", action="store_true", help="replace earlier coolshift reports at the target"
    )
    p.add_argument(
        "--eed", action="store_true",
        help="include the EU Energy Efficiency Directive fields for every site (by default "
        "only sites in the EU get them)",
    )
    p.set_defaults(func=run)
