"""Render reports to bytes and write them atomically (a temporary file next to the
target, then one rename), so a report file is complete or absent."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from reports import document as doc
from reports.fleet_build import build_for
from scenarios.errors import ScenarioError

#: Output formats and their file extensions.
FORMATS = ("pdf", "html", "xlsx")
REPORT_STEM = "report"


def parse_formats(formats: str | Iterable[str]) -> list[str]:
    """``"pdf,html"`` or ``["pdf", "html"]`` -> checked, de-duplicated list of formats.

    Raises
    ------
    ScenarioError
        An unknown or empty format.
    """
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for item in items:
        fmt = str(item).strip().lower().lstrip(".")
        if not fmt:  # "pdf,,html" or a trailing comma
            continue
        if fmt not in FORMATS:
            raise ScenarioError(
                f"unknown report format {str(item).strip()!r}; valid formats: {', '.join(FORMATS)}"
            )
        if fmt not in out:
            out.append(fmt)
    if not out:
        raise ScenarioError(f"give at least one report format: {', '.join(FORMATS)}")
    return out


def _as_list(run_dirs: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    if isinstance(run_dirs, (str, os.PathLike)):
        return [Path(run_dirs)]
    return [Path(p) for p in run_dirs]


def render(report: doc.Report, fmt: str) -> bytes:
    """One built report as bytes of ``fmt``."""
    if fmt == "pdf":
        from reports.render_pdf import render_pdf

        return render_pdf(report)
    if fmt == "html":
        from reports.render_html import render_html

        return render_html(report)
    from reports.render_xlsx import render_xlsx

    return render_xlsx(report)


def render_report(run_dirs: str | os.PathLike | Sequence[str | os.PathLike], fmt: str,
                  eed: bool | None = None) -> bytes:
    """The report of one or more run directories in one format.

    Parameters
    ----------
    run_dirs : path or sequence of paths
        Finished run directories (``coolshift run --out DIR``), or one fleet run
        directory (its fleet report, :mod:`reports.fleet_build`).
    fmt : {"pdf", "html", "xlsx"}
    eed : bool or None
        The EU EED reporting fields: None (default) for sites in the EU, True for every
        run (on request), False for none (:func:`reports.rules.eed_applies`).

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ScenarioError
        Unknown format, or a path that is not a run directory.
    """
    (fmt,) = parse_formats([fmt])
    report = build_for(_as_list(run_dirs), eed=eed)  # a fleet run, or single-site runs
    return render(report, fmt)


def plan_output(
    run_dirs: Sequence[Path],
    formats: Sequence[str],
    out: Path | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[Path], Path | None]:
    """Where each format's file goes, and the new folder that holds them, if any.

    * No ``out``: one run writes ``RUN_DIR/report.<ext>`` beside the run; several runs
      a new folder ``./report-<stamp>/``.
    * ``out`` with the one format's extension: that file.
    * ``out`` naming a run directory: ``report.<ext>`` files in it, as without ``out``.
    * Any other ``out``: a new folder holding ``report.<ext>`` files.

    Returns
    -------
    files : list of Path
        One per format, in the order of ``formats``.
    folder : Path or None
        The folder written as one output (with coolshift's marker), or None when each
        file is an output of its own.

    Raises
    ------
    ScenarioError
        A file name whose extension does not match the one format, or a file name with
        several formats.
    """
    from scenarios.outputs import check_out_text, marker_kind

    if out is None:
        if len(run_dirs) == 1:
            return [run_dirs[0] / f"{REPORT_STEM}.{fmt}" for fmt in formats], None
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        out = Path.cwd() / f"{REPORT_STEM}-{stamp}"
    out = check_out_text(out)
    if out.is_dir() and not out.is_symlink() and marker_kind(out) == "run":
        return [out / f"{REPORT_STEM}.{fmt}" for fmt in formats], None
    if out.suffix.lower() in {f".{f}" for f in FORMATS} and not out.is_dir():
        if len(formats) > 1:
            raise ScenarioError(
                f"--out {str(out)!r} names one file but {len(formats)} formats were asked "
                f"for ({', '.join(formats)}); give a folder, or one --format"
            )
        if out.suffix.lower() != f".{formats[0]}":
            raise ScenarioError(
                f"--out {str(out)!r} does not end in .{formats[0]}, the one format asked for "
                f"(--format {formats[0]}); give a .{formats[0]} file, a folder, or "
                f"--format {out.suffix.lower().lstrip('.')}"
            )
        return [out], None
    return [out / f"{REPORT_STEM}.{fmt}" for fmt in formats], out


def write_reports(
    run_dirs: str | os.PathLike | Sequence[str | os.PathLike],
    formats: str | Iterable[str],
    out: str | os.PathLike | None = None,
    force: bool = False,
    eed: bool | None = None,
) -> list[Path]:
    """Check and claim every target, render every format, then write each atomically.

    Parameters
    ----------
    run_dirs : path or sequence of paths
        Finished run directories.
    formats : str or iterable of str
        ``"pdf,html,xlsx"`` or a list of formats.
    out : path, optional
        A file (one format) or a folder; default: see :func:`plan_output`.
    force : bool
        Replace existing coolshift reports (never anything else).
    eed : bool or None
        The EU EED reporting fields: None (default) for sites in the EU, True for every
        run (on request), False for none.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ScenarioError
        Unknown format, not a run directory, bad, taken or unwritable ``out``. Nothing
        is written when the input is bad; every file written is complete.
    """
    from contextlib import ExitStack

    from scenarios.outputs import claim_output

    fmts = parse_formats(formats)
    dirs = _as_list(run_dirs)
    files, folder = plan_output(dirs, fmts, Path(out) if out is not None else None)
    with ExitStack() as held:
        if folder is not None:
            claims = [held.enter_context(claim_output(folder, "report", force=force))]
        else:
            claims = [
                held.enter_context(claim_output(f, "report", folder=False, force=force))
                for f in files
            ]
        report = build_for(dirs, eed=eed)
        contents = [render(report, fmt) for fmt in fmts]
        if folder is not None:

            def fill(tmp: Path) -> None:
                for path, content in zip(files, contents, strict=True):
                    (tmp / path.name).write_bytes(content)

            claims[0].write(fill)
        else:
            for claim, content in zip(claims, contents, strict=True):
                claim.write(lambda tmp, content=content: tmp.write_bytes(content))
    return files
