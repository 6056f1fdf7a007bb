"""``coolshift report`` end to end: default output places, several runs, and every
expected failure as one message, exit 2 and no file written."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from cli.main import main
from reports import formatting as F
from reports import output
from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.run import run_scenario
from scenarios.store import read_run, write_run
from tests.integration.cli import assert_clean_failure, coolshift, error_text


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two short run directories (no MILP): Shanghai and Urumqi, three days each."""
    root = tmp_path_factory.mktemp("report-runs")
    out = []
    for name in ("default", "urumqi"):
        d = example_data(name)
        d["horizon"]["hours"] = 72
        d["workload"]["generator"].update(count=8, slack_h=[6, 36], duration_h=[2, 12])
        out.append(write_run(run_scenario(scenario_from_dict(d), optimize=False), root / name))
    return out


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_one_run_default_output_is_report_files_in_the_run_directory(runs):
    run_dir = runs[0]
    result = coolshift("report", str(run_dir), "--format", "xlsx")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(run_dir / "report.xlsx")]
    wb = openpyxl.load_workbook(io.BytesIO((run_dir / "report.xlsx").read_bytes()))
    kpis = read_run(run_dir)["kpis"]["kpis"]
    rows = {r[5]: r[1] for r in wb["kpis"].iter_rows(min_row=2, values_only=True)}
    assert rows["pue"] == F.kpi_number("pue", kpis["pue"])
    assert not list(run_dir.glob(".*.tmp"))  # no temporary file left behind


def test_several_runs_go_to_a_stamped_folder_with_a_comparison(runs, tmp_path):
    result = coolshift("report", *map(str, runs), "--format", "xlsx,xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folders = [p for p in tmp_path.iterdir() if re.fullmatch(r"report-\d{8}-\d{6}", p.name)]
    # the folder holds the report and coolshift's marker (scenarios.outputs.MARKER)
    assert len(folders) == 1 and _files(folders[0]) == [".coolshift-output", "report.xlsx"]
    wb = openpyxl.load_workbook(folders[0] / "report.xlsx", read_only=True)
    header = next(wb["compare"].iter_rows(values_only=True))
    assert header[2:] == ("default", "urumqi")


def test_help_lists_the_report_command(capsys):
    assert main(["--help"]) == 0
    assert "report" in capsys.readouterr().out
    assert main(["report", "--help"]) == 0
    assert "--format" in capsys.readouterr().out


BAD_INPUT = {
    "not-a-run-dir": (["{tmp}/nothing-here", "--format", "pdf"], ["is not a coolshift run directory"]),
    "unknown-format": (["{run}", "--format", "pdf,docx"], ["unknown report format 'docx'", "pdf, html, xlsx"]),
    "unwritable-out": (["{run}", "--format", "html", "--out", "{tmp}/blocker/sub/report.html"],
                       ["blocker", "is not a folder"]),
}


def _bad_input_args(case, runs, tmp_path):
    (tmp_path / "blocker").write_text("a file where a folder is needed")
    args, fragments = BAD_INPUT[case]
    return [a.format(tmp=tmp_path, run=runs[1]) for a in args], fragments


def test_bad_input_in_a_real_process_exits_2_with_one_line_and_writes_nothing(runs, tmp_path):
    args, fragments = _bad_input_args("not-a-run-dir", runs, tmp_path)
    before = _files(tmp_path)
    result = coolshift("report", *args, cwd=tmp_path)
    assert_clean_failure(result, 2, *fragments)
    assert len(error_text(result).strip().splitlines()) == 1
    assert _files(tmp_path) == before


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_exits_2_with_one_message_and_writes_nothing(runs, tmp_path, case, capsys,
                                                                monkeypatch):
    """The same CLI entry point in this process (no interpreter start per case)."""
    monkeypatch.chdir(tmp_path)
    args, fragments = _bad_input_args(case, runs, tmp_path)
    before_run, before_tmp = _files(runs[1]), _files(tmp_path)
    assert main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coolshift: error:") and len(err.strip().splitlines()) == 1, err
    assert all(f in err for f in fragments), err
    assert _files(runs[1]) == before_run and _files(tmp_path) == before_tmp


#: --out naming a file of one format that disagrees with --format (issue 17, item 6):
#: refused by reports.output.plan_output before any target is claimed or report built.
OUT_DISAGREES = {
    "several-formats-one-file": (
        ["--format", "pdf,html", "--out", "{tmp}/y.pdf"],
        ["--out '", "y.pdf' names one file but 2 formats were asked for (pdf, html)",
         "give a folder, or one --format"]),
    "suffix-of-another-format": (
        ["--format", "pdf", "--out", "{tmp}/y.xlsx"],
        ["--out '", "y.xlsx' does not end in .pdf", "(--format pdf)",
         "give a .pdf file, a folder, or --format xlsx"]),
}


@pytest.mark.parametrize("case", list(OUT_DISAGREES))
def test_out_that_disagrees_with_the_formats_is_refused_before_any_report_is_built(
        runs, tmp_path, case, capsys, monkeypatch):
    def must_not_build(*args, **kwargs):
        raise AssertionError("a report was built although --out disagrees with --format")

    monkeypatch.setattr(output, "build_for", must_not_build)
    monkeypatch.chdir(tmp_path)
    args, fragments = OUT_DISAGREES[case]
    before_run, before_tmp = _files(runs[0]), _files(tmp_path)
    assert main(["report", str(runs[0]), *(a.format(tmp=tmp_path) for a in args)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("coolshift: error:"), err
    assert len(err.strip().splitlines()) == 1 and all(f in err for f in fragments), err
    assert _files(runs[0]) == before_run and _files(tmp_path) == before_tmp
    assert list(tmp_path.iterdir()) == []  # not even a lock or temporary file


def test_several_formats_into_one_file_in_a_real_process_writes_nothing(runs, tmp_path):
    result = coolshift("report", str(runs[0]), "--format", "pdf,html", "--out",
                       str(tmp_path / "y.pdf"), cwd=tmp_path)
    assert_clean_failure(result, 2, "names one file but 2 formats", "give a folder")
    assert len(error_text(result).strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
