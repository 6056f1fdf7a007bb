"""``coolshift schedule`` end to end: the real console command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import REPO_DIR
from tests.optimizer_cases import T0


def run_cli(*args, cwd=REPO_DIR):
    env = dict(os.environ, PYTHONPATH=str(REPO_DIR))
    return subprocess.run([sys.executable, "-m", "cli.main", "schedule", *map(str, args)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def iso(h):
    return (T0 + pd.Timedelta(hours=h)).isoformat()


@pytest.fixture()
def files(tmp_path: Path):
    prices = [0.9, 0.8, 0.3, 0.2, 0.25, 0.7, 0.9, 1.0, 0.6, 0.4, 0.5, 0.9]
    signals = pd.DataFrame({"timestamp": [iso(h) for h in range(12)], "price_per_kwh": prices,
                            "carbon_g_per_kwh": [500.0] * 12, "facility_factor": 1.2})
    signals.to_csv(tmp_path / "signals.csv", index=False)
    jobs = pd.DataFrame([
        {"job_id": "train-a", "release": iso(0), "deadline": iso(12), "duration_h": 3,
         "power_kw": 100, "preemptible": "false", "max_interruptions": "",
         "restart_overhead_h": "", "pods": ""},
        {"job_id": "train-b", "release": iso(0), "deadline": iso(12), "duration_h": 2,
         "power_kw": 150, "preemptible": "true", "max_interruptions": 1,
         "restart_overhead_h": 0.5, "pods": "p1|p2"},
    ])
    jobs.to_csv(tmp_path / "jobs.csv", index=False)
    pd.DataFrame({"pod": ["p1", "p2"], "capacity_kw": [200, 200],
                  "cooling_capacity_kw": [180, ""]}).to_csv(tmp_path / "pods.csv", index=False)
    return tmp_path


def test_schedule_ok_writes_schedule_and_summary(files):
    out = files / "out"
    proc = run_cli(files / "jobs.csv", "--signals", files / "signals.csv", "--pods",
                   files / "pods.csv", "--carbon-price", 50, "--gap", 0, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "status" in proc.stdout and "vs asap" in proc.stdout
    schedule = pd.read_csv(out / "schedule.csv")
    assert list(schedule.columns) == ["job_id", "pod", "timestamp", "power_kw"]
    assert (schedule.groupby("job_id").size() >= pd.Series({"train-a": 3, "train-b": 2})).all()
    assert all(pd.Timestamp(t).utcoffset() == pd.Timedelta(hours=8) for t in schedule["timestamp"])
    summary = json.loads((out / "summary.json").read_text())
    for key in ("status", "objective", "bound", "gap", "cost", "carbon_kg", "build_s", "solve_s"):
        assert key in summary
    assert summary["status"] == "optimal"
    assert summary["objective"] <= summary["greedy"]["objective"] + 1e-9
    assert summary["objective"] <= summary["asap"]["objective"] + 1e-9
    assert {"cost", "carbon_kg"} <= set(summary["asap"]) and {"cost", "carbon_kg"} <= set(
        summary["greedy"])
    # the cheapest 3-h window (hours 2-4) takes train-a
    a = schedule[schedule["job_id"] == "train-a"]["timestamp"].tolist()
    assert a == [iso(2), iso(3), iso(4)] or len(a) == 3


def test_bad_input_exit_2_names_file_row_and_column(files):
    jobs = pd.read_csv(files / "jobs.csv", dtype=str, keep_default_na=False)
    jobs.loc[1, "deadline"] = "tomorrow"
    jobs.to_csv(files / "bad_jobs.csv", index=False)
    out = files / "out"
    proc = run_cli(files / "bad_jobs.csv", "--signals", files / "signals.csv", "--out", out)
    assert proc.returncode == 2
    assert "bad_jobs.csv row 3, column 'deadline'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    # missing signals file, unknown pod, non-numeric signals
    proc = run_cli(files / "jobs.csv", "--signals", files / "nope.csv", "--out", out)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    jobs = pd.read_csv(files / "jobs.csv", dtype=str, keep_default_na=False)
    jobs.loc[0, "pods"] = "p7"
    jobs.to_csv(files / "pod_jobs.csv", index=False)
    proc = run_cli(files / "pod_jobs.csv", "--signals", files / "signals.csv", "--pods",
                   files / "pods.csv", "--out", out)
    assert proc.returncode == 2 and "unknown pod" in proc.stderr and "p7" in proc.stderr
    # the optimizer's refusal names the file's row as its reader does: blank lines count
    lines = (files / "pod_jobs.csv").read_text(encoding="utf-8").splitlines()
    (files / "pod_jobs.csv").write_text("\n".join([lines[0], "", *lines[1:]]) + "\n",
                                        encoding="utf-8")
    proc = run_cli(files / "pod_jobs.csv", "--signals", files / "signals.csv", "--pods",
                   files / "pods.csv", "--out", out)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "pod_jobs.csv: row 3 (job 'train-a'), column 'pods'" in proc.stderr
    sig = pd.read_csv(files / "signals.csv")
    sig["price_per_kwh"] = sig["price_per_kwh"].astype(object)
    sig.loc[4, "price_per_kwh"] = "cheap"
    sig.to_csv(files / "bad_signals.csv", index=False)
    proc = run_cli(files / "jobs.csv", "--signals", files / "bad_signals.csv", "--out", out)
    assert proc.returncode == 2
    assert "bad_signals.csv row 6, column 'price_per_kwh'" in proc.stderr
    assert not out.exists()


def test_infeasible_exit_3_names_jobs(files):
    jobs = pd.DataFrame([
        {"job_id": f"j{i}", "release": iso(0), "deadline": iso(2), "duration_h": 2,
         "power_kw": 120, "preemptible": "false"} for i in range(3)])
    jobs.to_csv(files / "crowd.csv", index=False)
    out = files / "out"
    proc = run_cli(files / "crowd.csv", "--signals", files / "signals.csv", "--pods",
                   files / "pods.csv", "--out", out)
    assert proc.returncode == 3, proc.stderr
    assert "j0" in proc.stderr and "j1" in proc.stderr and "j2" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_the_schedule_says_whether_it_rolled_and_why(tmp_path):
    """Whether the horizon was solved in one piece or rolled, and why, on the terminal
    (not only in summary.json): a slow build alone no longer rolls (overlapping windows
    would build more), and the reason says so."""
    n = 400
    pd.DataFrame({"timestamp": [iso(h) for h in range(n)],
                  "price_per_kwh": [0.2 + 0.1 * (h % 24 > 8) for h in range(n)],
                  "carbon_g_per_kwh": 500.0}).to_csv(tmp_path / "signals.csv", index=False)
    pd.DataFrame([{"job_id": f"j{k}", "release": iso(0), "deadline": iso(n), "duration_h": 6,
                   "power_kw": 50, "preemptible": "true"} for k in range(12)]
                 ).to_csv(tmp_path / "jobs.csv", index=False)
    pd.DataFrame({"pod": ["p1", "p2"], "capacity_kw": [400, 400]}).to_csv(
        tmp_path / "pods.csv", index=False)
    proc = run_cli(tmp_path / "jobs.csv", "--signals", tmp_path / "signals.csv", "--pods",
                   tmp_path / "pods.csv", "--time-limit", "0.5", "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["rolling"].startswith("one piece: ") and "overlapping" in summary["rolling"]
    assert f"horizon    {summary['rolling']}\n" in proc.stdout


def test_signals_over_a_clock_change_need_the_time_zone(files):
    """Offsets change in the file (DST): refused naming the row and --timezone; an unknown
    zone is refused before any file is read; with the zone the run bills its calendar."""
    hours = pd.date_range("2023-03-25", periods=48, freq="h", tz="Europe/Berlin")
    pd.DataFrame({"timestamp": [h.isoformat() for h in hours], "price_per_kwh": 0.2,
                  "carbon_g_per_kwh": 300.0}).to_csv(files / "dst.csv", index=False)
    jobs = pd.read_csv(files / "jobs.csv", dtype=str, keep_default_na=False)
    jobs["release"], jobs["deadline"] = hours[0].isoformat(), hours[-1].isoformat()
    jobs.to_csv(files / "dst_jobs.csv", index=False)
    out = files / "out"
    proc = run_cli(files / "dst_jobs.csv", "--signals", files / "dst.csv", "--out", out)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "dst.csv row 28, column 'timestamp': the UTC offset changes here" in proc.stderr
    assert "--timezone" in proc.stderr and not out.exists()
    proc = run_cli(files / "dst_jobs.csv", "--signals", files / "dst.csv", "--timezone",
                   "Mars/Olympus", "--out", out)
    assert proc.returncode == 2 and "--timezone must be an IANA time zone" in proc.stderr
    proc = run_cli(files / "dst_jobs.csv", "--signals", files / "dst.csv", "--timezone",
                   "Europe/Berlin", "--demand-charge", "10", "--pods", files / "pods.csv",
                   "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert (out / "schedule.csv").exists()


def test_rolling_can_be_forced_and_the_windows_show_as_plain_progress_lines(tmp_path):
    """--rolling always rolls a horizon longer than one window; without a terminal the
    progress is plain log lines, the windows among them (issue 14, item 3)."""
    n = 200  # beyond one 168 h window
    pd.DataFrame({"timestamp": [iso(h) for h in range(n)],
                  "price_per_kwh": [0.2 + 0.1 * (h % 24 > 8) for h in range(n)],
                  "carbon_g_per_kwh": 500.0}).to_csv(tmp_path / "signals.csv", index=False)
    pd.DataFrame([{"job_id": f"j{k}", "release": iso(24 * (k % 8)), "deadline": iso(n),
                   "duration_h": 4, "power_kw": 50, "preemptible": "false"} for k in range(8)]
                 ).to_csv(tmp_path / "jobs.csv", index=False)
    proc = run_cli(tmp_path / "jobs.csv", "--signals", tmp_path / "signals.csv",
                   "--rolling", "always", "--time-limit", "30", "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["rolling"].startswith("rolling: rolling = always")
    progress = [x for x in proc.stderr.splitlines() if x.startswith("progress: schedule: ")]
    assert any("window 1/" in x for x in progress), proc.stderr
    assert all(x.rstrip().endswith(" s)") for x in progress)
    proc = run_cli(tmp_path / "jobs.csv", "--signals", tmp_path / "signals.csv",
                   "--rolling", "sometimes", "--out", tmp_path / "out2")
    assert proc.returncode == 2 and "--rolling" in proc.stderr and "Traceback" not in proc.stderr
