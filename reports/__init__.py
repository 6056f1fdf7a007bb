"""coolshift reports: finished run directories -> PDF, HTML and XLSX for sustainability teams.

Public API (used by the ``coolshift report`` command and the app's downloads)::

    render_report(run_dirs, fmt) -> bytes                # one format: "pdf" | "html" | "xlsx"
    write_reports(run_dirs, formats, out=None) -> list[Path]

Runs are read only through :func:`scenarios.store.read_run`. One report model
(:mod:`reports.build`) feeds the three renderers, and every number is rounded by one
rule per indicator (:mod:`reports.formatting`), so the formats agree.
"""

from reports.output import FORMATS, render_report, write_reports

__all__ = ["FORMATS", "render_report", "write_reports"]
