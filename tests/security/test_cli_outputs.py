"""Every command that takes ``--out`` keeps the user's files, as a careless user would
test it: the real console command in a subprocess, against folders of other work."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.cli import REPO_DIR, assert_clean_failure, coolshift

pytestmark = pytest.mark.integration


def _users_folder(parent: Path) -> tuple[Path, dict[str, bytes]]:
    folder = parent / "work"
    folder.mkdir()
    files = {"thesis.docx": b"years of work", "summary.json": b'{"mine": 1}',
             "schedule.csv": b"my,own\n"}  # fmt: skip
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder, files


def _unchanged(folder: Path, files: dict[str, bytes]) -> None:
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files
    leftovers = [p.name for p in folder.parent.iterdir() if p.name.startswith(".")]  # tmp, lock
    assert leftovers == [], leftovers


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Path:
    """A run directory written by the real ``coolshift run default --no-optimize``, made
    once for the tests that need a run of coolshift's own; each works on a copy."""
    out = tmp_path_factory.mktemp("default-run") / "run"
    result = coolshift("run", "default", "--no-optimize", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _copy_of(run: Path, target: Path) -> Path:
    """A copy of coolshift's run directory ``run`` (its marker file included) at ``target``."""
    shutil.copytree(run, target)
    return target


def _schedule_inputs(folder: Path) -> list[str]:
    """A two-job schedule problem written into ``folder``."""
    folder.mkdir()
    hours = [f"2024-07-01T{h:02d}:00+08:00" for h in range(12)]
    (folder / "signals.csv").write_text(
        "timestamp,price_per_kwh,carbon_g_per_kwh\n"
        + "".join(f"{t},{0.5 + (i % 3) / 10},500\n" for i, t in enumerate(hours))
    )
    (folder / "jobs.csv").write_text(
        "job_id,release,deadline,duration_h,power_kw,preemptible\n"
        f"a,{hours[0]},{hours[-1]},3,100,false\n"
    )
    return [str(folder / "jobs.csv"), "--signals", str(folder / "signals.csv"), "--time-limit", "5"]


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_schedule_never_replaces_a_folder_of_other_work(tmp_path, force):
    folder, files = _users_folder(tmp_path)
    inputs = _schedule_inputs(tmp_path / "inputs")
    result = coolshift("schedule", *inputs, "--out", str(folder), *force)
    assert_clean_failure(result, 2, "coolshift did not write")
    _unchanged(folder, files)


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_run_never_replaces_a_folder_of_other_work_and_fails_before_running(tmp_path, force):
    folder, files = _users_folder(tmp_path)
    result = coolshift("run", "default", "--no-optimize", "--out", str(folder), *force)
    assert_clean_failure(result, 2, str(folder), "coolshift did not write")
    assert "PUE" not in result.stdout  # refused before the computation, not after
    _unchanged(folder, files)


def test_run_refuses_a_regular_file_as_out(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    result = coolshift("run", "default", "--no-optimize", "--force", "--out", str(target))
    assert_clean_failure(result, 2, "is a file")
    assert target.read_text() == "mine"


def test_examples_write_never_overwrites_the_user_s_scenarios(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "default.toml").write_text("# my edited default\n")
    for extra in ([], ["--force"]):
        result = coolshift("examples", "--write", str(folder), *extra)
        assert_clean_failure(result, 2, "coolshift did not write")
    assert (folder / "default.toml").read_text() == "# my edited default\n"
    fresh = tmp_path / "fresh"
    assert coolshift("examples", "--write", str(fresh)).returncode == 0
    assert coolshift("examples", "--write", str(fresh)).returncode == 2
    assert coolshift("examples", "--write", str(fresh), "--force").returncode == 0


def test_report_never_replaces_a_file_it_did_not_write(tmp_path, default_run):
    run_dir = _copy_of(default_run, tmp_path / "run")
    mine = tmp_path / "board.html"
    mine.write_text("<p>my board pack</p>")
    result = coolshift("report", str(run_dir), "--format", "html", "--out", str(mine), "--force")
    assert_clean_failure(result, 2, "coolshift did not write")
    assert mine.read_text() == "<p>my board pack</p>"
    several = coolshift(
        "report", str(run_dir), "--format", "pdf,html", "--out", str(tmp_path / "y.pdf")
    )
    assert_clean_failure(several, 2, "names one file but 2 formats")
    assert not (tmp_path / "y.pdf").exists()


def test_two_runs_to_one_out_at_once_exactly_one_wins(tmp_path):
    out = tmp_path / "shared"
    command = [str(REPO_DIR / ".venv" / "bin" / "coolshift")]
    if not Path(command[0]).exists():
        pytest.skip("the console script is not installed in .venv")
    procs = [
        subprocess.Popen(
            [*command, "run", "default", "--no-optimize", "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_DIR,
        )
        for _ in range(2)
    ]
    results = [(p.wait(120), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "another coolshift process is writing" in loser or "already exists" in loser
    assert "Traceback" not in loser
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared"]
    assert (out / "kpis.json").exists()


def test_run_force_replaces_its_own_run_and_only_that(tmp_path, default_run):
    out = _copy_of(default_run, tmp_path / "r")
    again = coolshift("run", "default", "--no-optimize", "--out", str(out))
    assert_clean_failure(again, 2, "pass --force")
    assert (
        coolshift("run", "default", "--no-optimize", "--out", str(out), "--force").returncode == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_report_replaces_its_own_reports_only_with_force(tmp_path, default_run):
    from scenarios.outputs import is_coolshift_file

    run_dir = _copy_of(default_run, tmp_path / "run")
    first = coolshift("report", str(run_dir))
    assert first.returncode == 0, first.stderr
    files = [run_dir / f"report.{ext}" for ext in ("pdf", "html", "xlsx")]
    assert all(is_coolshift_file(f, "report") for f in files)
    assert_clean_failure(coolshift("report", str(run_dir)), 2, "pass --force")
    stamps = [f.stat().st_mtime_ns for f in files]
    again = coolshift("report", str(run_dir), "--force")
    assert again.returncode == 0, again.stderr
    assert all(f.stat().st_mtime_ns > s for f, s in zip(files, stamps, strict=True))
    assert sorted(p.name for p in run_dir.iterdir() if p.name.startswith(".")) == [
        ".coolshift-output"
    ]


def test_a_bad_out_is_refused_before_the_scenario_runs(tmp_path, monkeypatch, capsys):
    """In this process, with the run itself made to fail loudly if it is ever reached."""
    import scenarios.run
    from cli.main import main

    def must_not_run(*args, **kwargs):
        raise AssertionError("the computation started before --out was checked")

    monkeypatch.setattr(scenarios.run, "run_scenario", must_not_run)
    folder, files = _users_folder(tmp_path)
    assert main(["run", "default", "--no-optimize", "--force", "--out", str(folder)]) == 2
    assert "coolshift did not write" in capsys.readouterr().err
    _unchanged(folder, files)
