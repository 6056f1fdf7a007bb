"""No file that coolshift did not write is ever deleted or replaced, and every output is
complete or absent: the one writer (:mod:`scenarios.outputs`) under every condition a
careless user, a second process or a signal can make."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from scenarios import outputs
from scenarios.errors import ScenarioError
from scenarios.outputs import MARKER, claim_output, write_output

pytestmark = pytest.mark.unit


def _files(tmp: Path, content: str = "new") -> None:
    (tmp / "kpis.json").write_text(content, encoding="utf-8")


def _tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with its content (links as 'link -> target')."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = f"link -> {os.readlink(path)}"
        elif path.is_file():
            out[rel] = path.read_text(encoding="utf-8", errors="replace")
    return out


def _users_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "thesis.docx").write_text("years of work", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "data.csv").write_text("1,2", encoding="utf-8")
    return folder


def test_a_new_folder_is_written_with_its_marker(tmp_path):
    out = write_output(tmp_path / "new" / "deeper", "run", _files)
    assert (out / "kpis.json").read_text() == "new"
    assert json.loads((out / MARKER).read_text())["kind"] == "run"
    assert sorted(p.name for p in out.parent.iterdir()) == ["deeper"]  # no lock, no tmp


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_of_other_work_is_never_replaced(tmp_path, force):
    folder = _users_folder(tmp_path)
    before = _tree(folder)
    with pytest.raises(ScenarioError, match="coolshift did not write"):
        write_output(folder, "run", _files, force=force)
    assert _tree(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


@pytest.mark.parametrize("kind", ["run", "schedule", "examples"])
def test_a_regular_file_is_refused_as_a_folder_target(tmp_path, kind):
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(ScenarioError, match="is a file"):
        write_output(target, kind, _files, force=True)
    assert target.read_text() == "mine"


def test_a_symbolic_link_is_refused(tmp_path):
    folder = _users_folder(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(folder, target_is_directory=True)
    with pytest.raises(ScenarioError, match="symbolic link"):
        write_output(link, "run", _files, force=True)
    assert link.is_symlink() and (folder / "thesis.docx").exists()


def test_an_empty_folder_is_filled_only_with_force(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ScenarioError, match="already exists"):
        write_output(tmp_path / "empty", "run", _files)
    out = write_output(tmp_path / "empty", "run", _files, force=True)
    assert (out / "kpis.json").exists()


def test_an_output_of_the_same_kind_is_replaced_only_with_force(tmp_path):
    out = write_output(tmp_path / "r", "run", lambda t: _files(t, "old"))
    with pytest.raises(ScenarioError, match="pass --force"):
        write_output(out, "run", _files)
    assert (out / "kpis.json").read_text() == "old"
    write_output(out, "run", _files, force=True)
    assert (out / "kpis.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_an_output_of_another_kind_is_never_replaced(tmp_path):
    out = write_output(tmp_path / "r", "examples", _files)
    with pytest.raises(ScenarioError, match="not a coolshift run directory"):
        write_output(out, "run", _files, force=True)


def test_a_forged_marker_of_another_kind_is_not_enough(tmp_path):
    folder = _users_folder(tmp_path)
    (folder / MARKER).write_text('{"kind": "nonsense"}', encoding="utf-8")
    with pytest.raises(ScenarioError, match="did not write"):
        write_output(folder, "run", _files, force=True)


def test_replacing_without_the_atomic_exchange_still_never_loses_the_old_output(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(outputs, "_renameat2", lambda *a: False)
    out = write_output(tmp_path / "r", "run", lambda t: _files(t, "old"))
    write_output(out, "run", _files, force=True)
    assert (out / "kpis.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_second_claim_on_a_held_target_fails_at_once(tmp_path):
    with claim_output(tmp_path / "r", "run"):
        with pytest.raises(ScenarioError, match="another coolshift process is writing"):
            claim_output(tmp_path / "r", "run")
    claim_output(tmp_path / "r", "run").release()  # free again once released


def _claim_and_report(out: str, start, results) -> None:
    start.wait()
    try:
        write_output(out, "run", lambda t: (_files(t, str(os.getpid())), time.sleep(0.5)))
        results.put("won")
    except ScenarioError as exc:
        results.put(f"refused: {exc}")


def test_two_processes_racing_for_one_target_exactly_one_wins(tmp_path):
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_claim_and_report, args=(str(tmp_path / "r"), start, results))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(30)
    outcomes = sorted(results.get(timeout=5) for _ in procs)
    assert outcomes.count("won") == 1, outcomes
    assert all("another coolshift process" in o or "already exists" in o for o in outcomes[:-1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_leftovers_of_a_killed_writer_are_cleaned_and_reported(tmp_path):
    out = write_output(tmp_path / "r", "run", lambda t: _files(t, "old"))
    stale = tmp_path / ".r.abc12345.tmp"
    stale.mkdir()
    (stale / MARKER).write_text('{"kind": "run"}')
    empty = tmp_path / ".r.def45678.tmp"
    empty.mkdir()
    foreign = tmp_path / ".r.users123.tmp"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    lock = tmp_path / ".r.lock"
    lock.write_text(outputs.LOCK_SIGNATURE + "pid 1\n")  # held by nobody: a killed process
    with claim_output(out, "run", force=True) as claim:
        claim.write(_files)
    assert not stale.exists() and not empty.exists() and not lock.exists()
    assert (foreign / "keep.txt").read_text() == "mine"
    assert any("left .r.users123.tmp alone" in n for n in claim.notes)
    assert sum("removed" in n for n in claim.notes) == 2


def test_an_old_output_hidden_by_a_killed_replace_is_restored(tmp_path):
    out = write_output(tmp_path / "r", "run", lambda t: _files(t, "old"))
    os.rename(out, tmp_path / ".r.old")  # killed between the two renames of the fallback
    with pytest.raises(ScenarioError, match=r"pass --force.*restored"):
        claim_output(tmp_path / "r", "run")
    assert (out / "kpis.json").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_file_in_the_lock_s_place_that_is_not_a_lock_is_left_alone(tmp_path):
    lock = tmp_path / ".r.lock"
    lock.write_text("my notes", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not coolshift's lock"):
        claim_output(tmp_path / "r", "run")
    assert lock.read_text() == "my notes"


def test_a_failed_write_leaves_nothing(tmp_path):
    def broken(tmp: Path) -> None:
        _files(tmp)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_output(tmp_path / "a" / "r", "run", broken)
    assert list(tmp_path.iterdir()) == []  # not even the parent folders it made


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", ".", "..", "/", "x" * 300])
def test_outputs_that_can_never_be_written_are_refused_up_front(tmp_path, text):
    with pytest.raises(ScenarioError, match="--out"):
        outputs.check_out_text(text)


def test_an_unwritable_parent_is_refused_before_anything(tmp_path):
    if os.geteuid() == 0:
        target = tmp_path / "afile" / "r"  # root may write anywhere: use a file as parent
        (tmp_path / "afile").write_text("x")
        match = "is not a folder"
    else:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        target, match = ro / "r", "not writable"
    with pytest.raises(ScenarioError, match=match):
        claim_output(target, "run")


def test_report_files_replace_only_coolshift_reports(tmp_path):
    target = tmp_path / "summary.html"
    target.write_text("<html>the user's own page</html>")
    with pytest.raises(ScenarioError, match="did not write"):
        write_output(target, "report", lambda t: t.write_bytes(b"x"), folder=False, force=True)
    assert "own page" in target.read_text()
    mine = b'<!DOCTYPE html><html><head><meta name="generator" content="coolshift">'
    target.write_bytes(mine)
    with pytest.raises(ScenarioError, match="pass --force"):
        write_output(target, "report", lambda t: t.write_bytes(mine + b"2"), folder=False)
    write_output(target, "report", lambda t: t.write_bytes(mine + b"2"), folder=False, force=True)
    assert target.read_bytes().endswith(b"2")


SLOW_WRITER = textwrap.dedent(
    """
    import signal, sys, time
    from pathlib import Path
    from cli.main import _stop
    from scenarios.outputs import write_output

    signal.signal(signal.SIGTERM, _stop)

    def fill(tmp):
        (tmp / "kpis.json").write_text("new")
        print("writing", flush=True)
        time.sleep(30)

    try:
        write_output(sys.argv[1], "run", fill, force=True)
    except KeyboardInterrupt:
        sys.exit(143)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_signal_mid_write_keeps_the_old_output_and_leaves_nothing_next_run(tmp_path, signum):
    out = write_output(tmp_path / "r", "run", lambda t: _files(t, "old"))
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(out)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signum)
    proc.wait(20)
    assert (out / "kpis.json").read_text() == "old"
    left = sorted(p.name for p in tmp_path.iterdir())
    if signum != signal.SIGKILL:
        assert left == ["r"]  # the stopped writer cleaned its temporary folder and lock
    with claim_output(out, "run", force=True) as claim:
        claim.write(_files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert (out / "kpis.json").read_text() == "new"


def test_a_target_s_leftover_cleaning_never_touches_a_longer_named_target_s_live_write(tmp_path):
    # ".a.b.XXXXXXXX.tmp" (target a.b, being written) is not a leftover of target "a"
    seen = {}

    def fill_ab(tmp: Path) -> None:
        _files(tmp, "a.b")
        with claim_output(tmp_path / "a", "run") as other:
            seen["notes"] = list(other.notes)
            other.write(_files)
        assert (tmp / "kpis.json").read_text() == "a.b"

    out = write_output(tmp_path / "a.b", "run", fill_ab)
    assert (out / "kpis.json").read_text() == "a.b" and seen["notes"] == []


def test_a_signal_between_the_fallback_s_two_renames_puts_the_old_output_back(tmp_path, monkeypatch):
    out = write_output(tmp_path / "r", "run", lambda t: _files(t, "old"))
    monkeypatch.setattr(outputs, "_renameat2", lambda *a: False)
    real_rename = os.rename

    stopped = []

    def interrupted(src, dst):
        if Path(dst) == out and not stopped:  # the second rename: stopped just before it
            stopped.append(src)
            raise KeyboardInterrupt
        real_rename(src, dst)

    monkeypatch.setattr(outputs.os, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(out, "run", _files, force=True)
    monkeypatch.setattr(outputs.os, "rename", real_rename)
    assert (out / "kpis.json").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_force_never_deletes_a_user_s_file_inside_a_coolshift_folder(tmp_path):
    out = write_output(tmp_path / "r", "run", lambda t: _files(t, "old"))
    (out / "notes.md").write_text("my analysis")
    with pytest.raises(ScenarioError, match=r"notes\.md"):
        write_output(out, "run", _files, force=True)
    assert (out / "notes.md").read_text() == "my analysis"


def test_a_large_coolshift_pdf_is_recognised_by_its_trailer(tmp_path):
    pdf = tmp_path / "big.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * (2 << 20) + b"\n/Creator (coolshift reports (fpdf2))\n%%EOF")
    assert outputs.is_coolshift_file(pdf, "report")
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * (2 << 20) + b"\n/Creator (someone else)\n%%EOF")
    assert not outputs.is_coolshift_file(pdf, "report")


def test_a_file_system_without_locks_is_a_clear_error_and_leaves_no_lock(tmp_path, monkeypatch):
    import errno as errno_

    def no_locks(fd, op):
        raise OSError(errno_.ENOLCK, "No locks available")

    monkeypatch.setattr(outputs.fcntl, "flock", no_locks)
    with pytest.raises(ScenarioError, match="cannot lock"):
        claim_output(tmp_path / "r", "run")
    assert list(tmp_path.iterdir()) == []
