"""Render reports to bytes and write them atomically (a temporary file next to the
target, then one rename), so a report file is complete or absent."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from reports import document as doc
from reports.build import build_report
from reports.data import load_runs
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


def render_report(run_dirs: str | os.PathLike | Sequence[str | os.PathLike], fmt: str) -> bytes:
    """The report of one or more run directories in one format.

    Parameters
    ----------
    run_dirs : path or sequence of paths
        Finished run directories (``coolshift run --out DIR``).
    fmt : {"pdf", "html", "xlsx"}

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
    report = build_report(load_runs(_as_list(run_dirs)))
    return render(report, fmt)


def default_out(run_dirs: Sequence[Path], formats: Sequence[str], now: dt.datetime | None = None) -> Path:
    """Where reports go without ``--out``: ``<run dir>/report.<ext>`` for one run (its
    folder when several formats), else a ``report-<stamp>`` folder in the current folder."""
    if len(run_dirs) == 1:
        return run_dirs[0] / f"{REPORT_STEM}.{formats[0]}" if len(formats) == 1 else run_dirs[0]
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path.cwd() / f"{REPORT_STEM}-{stamp}"


def target_paths(out: Path, formats: Sequence[str]) -> list[Path]:
    """The file of each format: ``out`` itself for one format with a file name, else
    ``out/report.<ext>``.

    Raises
    ------
    ScenarioError
        A file name whose extension does not match the one format; several formats with
        ``out`` naming an existing file.
    """
    if len(formats) == 1 and out.suffix and not out.is_dir():
        if out.suffix.lower() != f".{formats[0]}":
            raise ScenarioError(
                f"--out {str(out)!r} does not end in .{formats[0]}; give a .{formats[0]} file "
                "or a folder"
            )
        return [out]
    if out.exists() and not out.is_dir():
        raise ScenarioError(
            f"--out {str(out)!r} is a file; with several formats (or no file extension) --out "
            "is a folder"
        )
    return [out / f"{REPORT_STEM}.{fmt}" for fmt in formats]


def check_writable(path: Path) -> None:
    """Fail early if ``path``'s folder cannot be created or written (before any rendering).

    Raises
    ------
    ScenarioError
        An ancestor of the folder is a file, or the first existing ancestor is read-only.
    """
    folder = path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ScenarioError(f"cannot write {str(path)!r}: {str(existing)!r} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ScenarioError(f"cannot write {str(path)!r}: {str(existing)!r} is not writable")


def write_atomic(path: Path, content: bytes) -> None:
    """Write ``content`` to a temporary file beside ``path``, then rename it into place.

    Raises
    ------
    ScenarioError
        The folder cannot be created or written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ScenarioError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ScenarioError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(
    run_dirs: str | os.PathLike | Sequence[str | os.PathLike],
    formats: str | Iterable[str],
    out: str | os.PathLike | None = None,
) -> list[Path]:
    """Render every format first, then write each file atomically.

    Parameters
    ----------
    run_dirs : path or sequence of paths
        Finished run directories.
    formats : str or iterable of str
        ``"pdf,html,xlsx"`` or a list of formats.
    out : path, optional
        A file (one format) or a folder; default: see :func:`default_out`.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ScenarioError
        Unknown format, not a run directory, bad or unwritable ``out``. Nothing is written
        when the input is bad; a file written before an output error is complete.
    """
    fmts = parse_formats(formats)
    dirs = _as_list(run_dirs)
    targets = target_paths(Path(out) if out is not None else default_out(dirs, fmts), fmts)
    for path in targets:
        check_writable(path)
    report = build_report(load_runs(dirs))
    contents = [render(report, fmt) for fmt in fmts]
    for path, content in zip(targets, contents, strict=True):
        write_atomic(path, content)
    return targets
