"""coolshift reports: finished run directories -> PDF, HTML and XLSX for sustainability teams.

Public API (used by the ``coolshift report`` command and the app's downloads)::

    render_report(run_dirs, fmt) -> bytes                # one format: "pdf" | "html" | "xlsx"
    write_reports(run_dirs, formats, out=None) -> list[Path]
    FORMATS                                              # ("pdf", "html", "xlsx")

Runs are read only through :func:`scenarios.store.read_run`. One report model
(:mod:`reports.build`) feeds the three renderers, and every number is rounded by one
rule per indicator (:mod:`reports.formatting`), so the formats agree. The names are
loaded on first use, so ``import reports.cmd_report`` (the CLI) stays light.
"""

from __future__ import annotations

__all__ = ["FORMATS", "render_report", "write_reports"]


def __getattr__(name: str):
    if name in __all__:
        from reports import output

        return getattr(output, name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
