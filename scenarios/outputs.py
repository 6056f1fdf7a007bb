"""Every file and folder coolshift writes, written one way: complete or absent, and never
over anything coolshift did not write.

A writer first *claims* its target (:func:`claim_output`): that checks the target before
any long computation and takes an exclusive lock, so two processes writing to the same
target cannot both go on (the second fails at once, naming the target). The claim then
writes (:meth:`OutputClaim.write`): into a new temporary sibling, then one rename.

The rules, for a target ``NAME`` in folder ``PARENT``:

* A folder is written only where nothing is, or, with ``force``, into an empty folder
  or over a folder that holds coolshift's marker file (:data:`MARKER`) of the same kind. A file is written only where nothing is, or over a file that is a
  coolshift output of the same kind (see :func:`is_coolshift_file`), with ``force``.
  Anything else (a regular file where a folder goes, a folder of other work, a symbolic
  link) is refused with a message naming the target.
* The lock is ``PARENT/.NAME.lock``, held with ``flock`` (released by the kernel when a
  process dies, so a lock left by a killed process is recognised and taken over).
* Temporary siblings are ``PARENT/.NAME.<random>.tmp``; a replaced folder is swapped out
  in one atomic exchange (``renameat2(RENAME_EXCHANGE)``), so the target is never missing.
  Where the file system cannot exchange, the old folder is first renamed to
  ``PARENT/.NAME.old``; if the process dies between the two renames, the next claim puts
  it back. Leftovers of killed processes are cleaned by the next claim of the same target
  (temporary siblings holding the marker, or empty) or reported (anything else).
* The command line turns SIGTERM into the same unwinding as Ctrl-C, so a stopped writer
  removes its temporary sibling.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import fnmatch
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from scenarios.errors import ScenarioError

#: The marker file in every folder coolshift writes; its JSON says which kind it is.
MARKER = ".coolshift-output"
#: Kinds of output, each with the words its messages use.
KINDS = {
    "run": "a coolshift run directory",
    "schedule": "a coolshift schedule folder",
    "report": "a coolshift report",
    "examples": "a folder of coolshift's built-in scenarios",
}
#: First line of every lock file (a file at the lock's path without it is not ours).
LOCK_SIGNATURE = "coolshift output lock\n"
#: Files of a run directory written before the marker existed (coolshift <= 0.1.0): a
#: folder holding only these, with a manifest that says ``coolshift_run``, is a run.
LEGACY_RUN_FILES = frozenset(
    {"manifest.json", "kpis.json", "hourly.parquet", "schedule.csv", "scenario.toml",
     "jobs.csv", "hourly.csv", "schedule_asap.csv", "schedule_greedy.csv",
     "report.pdf", "report.html", "report.xlsx"}
)  # fmt: skip

#: The random part of a temporary sibling's name: exactly what ``tempfile`` makes (8
#: characters of [a-z0-9_]), so ``.a.b.x1y2z3w4.tmp`` of a target ``a.b`` never matches
#: the leftovers of a target ``a``.
TMP_RANDOM_GLOB = "[a-z0-9_]" * 8
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2(src, dst, flags)``; False where the C library or the file system
    cannot do it (the caller falls back), OSError for any other failure."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(dst))


def _describe(path: Path) -> str:
    return repr(str(path))


#: The files coolshift writes into a folder of each kind (fnmatch patterns): a folder of
#: that kind holding anything else is not replaced, so nothing a user added is lost.
OWN_FILES = {
    "run": (MARKER, *LEGACY_RUN_FILES, "schedule_*.csv"),
    "schedule": (MARKER, "schedule.csv", "summary.json"),
    "report": (MARKER, "report.pdf", "report.html", "report.xlsx"),
    "examples": (MARKER, "*.toml"),
}


def own_file(kind: str, name: str) -> bool:
    """Whether a file of that name is one coolshift writes in a folder of ``kind``."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in OWN_FILES[kind])


def marker_kind(folder: Path) -> str | None:
    """The kind of coolshift output a folder is (its marker, or a legacy run), else None."""
    marker = folder / MARKER
    try:
        if marker.is_file() and not marker.is_symlink():
            kind = json.loads(marker.read_text(encoding="utf-8")).get("kind")
            return kind if kind in KINDS else None
    except (OSError, ValueError, AttributeError):
        return None
    try:
        names = {p.name for p in folder.iterdir()}
        if names and names <= LEGACY_RUN_FILES and "manifest.json" in names:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            if isinstance(manifest, dict) and manifest.get("coolshift_run"):
                return "run"
    except (OSError, ValueError):
        return None
    return None


def is_coolshift_file(path: Path, kind: str, suffix: str | None = None) -> bool:
    """Whether a single file is a coolshift output of ``kind`` (reports only): a PDF
    whose creator is coolshift, an HTML file with coolshift's generator tag, or an XLSX
    workbook whose creator is coolshift. ``suffix`` (default: the file's) says which."""
    if kind != "report" or path.is_symlink() or not path.is_file():
        return False
    suffix = (suffix or path.suffix).lower()
    try:
        if suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                core = book.read("docProps/core.xml")[:20000]
            return b"<dc:creator>coolshift" in core
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
            fh.seek(max(os.fstat(fh.fileno()).st_size - (1 << 16), 0))
            tail = fh.read()  # fpdf2 writes the Info dictionary near the end
        if suffix == ".pdf":
            return head.startswith(b"%PDF") and b"/Creator (coolshift" in head + tail
        if suffix == ".html":
            return b'<meta name="generator" content="coolshift' in head[:8192]
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
    return False


class OutputClaim:
    """An exclusive claim on one output target, from the check to the final rename.

    Use :func:`claim_output` to make one, as a context manager; the lock is released,
    and anything half written removed, when the block ends however it ends.

    Attributes
    ----------
    path : Path
        The target, absolute.
    kind : str
        One of :data:`KINDS`.
    folder : bool
        A folder target (else one file).
    force : bool
        An existing coolshift output of the same kind may be replaced.
    notes : list of str
        What the claim found and did about leftovers of killed processes.
    """

    def __init__(self, path: Path, kind: str, folder: bool, force: bool):
        self.path, self.kind, self.folder, self.force = path, kind, folder, force
        self.notes: list[str] = []
        self._lock_fd: int | None = None
        self._created: list[Path] = []
        self._written = False

    # ------------------------------------------------------------------ lock
    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f".{self.path.name}.lock")

    def _acquire(self) -> None:
        lock = self.lock_path
        for _ in range(20):
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
                os.write(fd, f"{LOCK_SIGNATURE}pid {os.getpid()}\n".encode())
            except FileExistsError:
                try:
                    fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW)
                except FileNotFoundError:
                    continue  # its holder just removed it: try again
                except OSError:
                    raise self._error(
                        f"{_describe(lock)} is in the way (coolshift's lock for this target); "
                        "move it away"
                    ) from None
                head = os.pread(fd, len(LOCK_SIGNATURE), 0)
                if head not in (LOCK_SIGNATURE.encode(), b""):
                    os.close(fd)
                    raise self._error(
                        f"{_describe(lock)} exists and is not coolshift's lock; coolshift "
                        "will not touch it: choose another --out or move that file away"
                    ) from None
            except OSError as exc:
                raise self._error(f"cannot create {_describe(lock)}: {exc.strerror}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise self._error(
                    "another coolshift process is writing to it right now; wait for it to "
                    "finish or choose another --out"
                ) from None
            except OSError as exc:  # no locks on this file system (NFS without lockd, ...)
                os.close(fd)
                _unlink_quietly(lock)
                raise self._error(
                    f"cannot lock {_describe(lock)} ({exc.strerror}); coolshift writes only "
                    "where it can lock against a second writer: choose a local folder"
                ) from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if same:
                self._lock_fd = fd
                return
            os.close(fd)  # the file was replaced between open and lock: try again
        raise self._error("could not take the output lock (it keeps changing); try again")

    def release(self) -> None:
        """Drop the lock (and remove folders the claim created but did not fill)."""
        if self._lock_fd is not None:
            try:
                os.unlink(self.lock_path)
            except OSError:
                pass
            os.close(self._lock_fd)
            self._lock_fd = None
        if not self._written:
            for folder in reversed(self._created):
                try:
                    folder.rmdir()
                except OSError:
                    break

    def __enter__(self) -> OutputClaim:
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    # ------------------------------------------------------------------ checks
    def _error(self, what: str) -> ScenarioError:
        return ScenarioError(f"output {_describe(self.path)}: {what}")

    def _make_parent(self) -> None:
        parent = self.path.parent
        missing = []
        probe = parent
        while not probe.exists() and not probe.is_symlink():
            missing.append(probe)
            if probe == probe.parent:
                break
            probe = probe.parent
        if not probe.is_dir():
            raise self._error(f"{_describe(probe)} is not a folder")
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            except OSError as exc:
                raise self._error(f"cannot create folder {_describe(folder)}: {exc.strerror}") from None
            self._created.append(folder)
        if not os.access(parent, os.W_OK | os.X_OK):
            raise self._error(f"folder {_describe(parent)} is not writable")

    def _check_target(self) -> None:
        try:
            self._check_target_unsafe()
        except OSError as exc:  # an unreadable folder, a vanished path
            raise self._error(f"cannot be inspected ({exc.strerror or exc})") from None

    def _check_target_unsafe(self) -> None:
        path, kind = self.path, self.kind
        if path.is_symlink():
            raise self._error("is a symbolic link; coolshift writes only to a real path")
        if not path.exists():
            return
        what = KINDS[kind]
        if self.folder:
            if not path.is_dir():
                raise self._error(
                    "is a file, not a folder; coolshift never replaces it. Choose a new --out"
                )
            if not any(path.iterdir()):
                if not self.force:
                    raise self._error(
                        "already exists (an empty folder); choose a new --out, or pass --force "
                        "to write into it"
                    )
                return  # an empty folder with --force: nothing is lost
            found = marker_kind(path)
            if found is None:
                raise self._error(
                    "is a folder coolshift did not write (no marker file); coolshift never "
                    "replaces it. Choose a new --out"
                )
            if found != kind:
                raise self._error(
                    f"holds {KINDS[found]}, not {what}; coolshift replaces an output only "
                    "with one of the same kind. Choose another --out"
                )
        else:
            if path.is_dir():
                raise self._error("is a folder; give a file name or a new path")
            if not is_coolshift_file(path, kind):
                raise self._error(
                    "is a file coolshift did not write; coolshift never replaces it. Choose "
                    "another --out"
                )
        if self.folder:
            foreign = sorted(p.name for p in path.iterdir() if not own_file(kind, p.name))
            if foreign:
                shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
                raise self._error(
                    f"holds {what} and also file(s) coolshift did not write ({shown}); "
                    "coolshift never deletes them: move them out, or choose another --out"
                )
        if not self.force:
            raise self._error(f"already exists and holds {what}; pass --force to replace it")

    def _recover_leftovers(self) -> None:
        """Clean (or report) what a killed process left beside the target."""
        path = self.path
        parent, name = path.parent, path.name
        old = parent / f".{name}.old"
        if old.is_dir() and not old.is_symlink() and marker_kind(old) == self.kind:
            if not path.exists():
                os.rename(old, path)
                self.notes.append(
                    f"restored {_describe(path)} from {old.name}, left by a coolshift process "
                    "stopped while replacing it"
                )
            else:
                shutil.rmtree(old, ignore_errors=True)
                self.notes.append(f"removed {old.name}, left by a stopped coolshift process")
        elif old.exists() or old.is_symlink():
            self.notes.append(f"left {old.name} alone: it is not a coolshift output of this kind")
        for tmp in parent.glob(f".{glob_escape(name)}.{TMP_RANDOM_GLOB}.tmp"):
            if tmp.is_symlink():
                self.notes.append(f"left {tmp.name} alone: a symbolic link")
            elif tmp.is_dir() and (marker_kind(tmp) == self.kind or not any(tmp.iterdir())):
                shutil.rmtree(tmp, ignore_errors=True)
                self.notes.append(f"removed {tmp.name}, left by a stopped coolshift process")
            elif tmp.is_file() and not self.folder and (
                tmp.stat().st_size == 0 or is_coolshift_file(tmp, self.kind, path.suffix)
            ):
                tmp.unlink()
                self.notes.append(f"removed {tmp.name}, left by a stopped coolshift process")
            else:
                self.notes.append(f"left {tmp.name} alone: coolshift cannot tell it is its own")

    # ------------------------------------------------------------------ write
    def write(self, fill: Callable[[Path], None]) -> Path:
        """Write the output: ``fill(tmp)`` writes the folder's files into ``tmp`` (a
        folder target) or the file ``tmp`` (a file target); then one rename puts it in
        place. The target is checked again first (it may have changed since the claim).

        Returns
        -------
        Path
            The target.

        Raises
        ------
        ScenarioError
            The target may not be written (see the module's rules), or writing failed
            (the message says why); nothing is left half written.
        """
        if self._lock_fd is None:
            raise RuntimeError("write() after release()")
        self._check_target()
        parent, name = self.path.parent, self.path.name
        try:
            if self.folder:
                tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent))
            else:
                fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=parent)
                os.close(fd)
                tmp = Path(tmp_name)
        except OSError as exc:
            raise self._error(f"cannot write in {_describe(parent)}: {exc.strerror}") from None
        try:
            if self.folder:
                (tmp / MARKER).write_text(
                    json.dumps({"kind": self.kind, "written_by": "coolshift"}) + "\n",
                    encoding="utf-8",
                )
                os.chmod(tmp, 0o755)
            fill(tmp)
            if not self.folder:
                os.chmod(tmp, 0o644)
            self._put_in_place(tmp)
        except OSError as exc:
            _remove(tmp)
            raise self._error(f"cannot write: {exc.strerror or exc}") from None
        except BaseException:
            _remove(tmp)
            raise
        self._written = True
        return self.path

    def _put_in_place(self, tmp: Path) -> None:
        path = self.path
        if not self.folder or not path.is_dir() or not any(path.iterdir()):
            # a file replaces atomically; a folder replaces only an empty folder (rename
            # fails with ENOTEMPTY if something appeared meanwhile: nothing is lost)
            os.rename(tmp, path)
            return
        if _renameat2(tmp, path, _RENAME_EXCHANGE):
            shutil.rmtree(tmp, ignore_errors=True)  # now holds the old output
            return
        old = path.with_name(f".{path.name}.old")
        os.rename(path, old)
        try:
            os.rename(tmp, path)
        except BaseException:  # a signal or an error between the two renames
            if not path.exists():
                os.rename(old, path)
            raise
        shutil.rmtree(old, ignore_errors=True)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def glob_escape(name: str) -> str:
    """``name`` with the glob characters ``*?[`` taken literally."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def check_out_text(out: str | os.PathLike) -> Path:
    """``--out`` as an absolute path, refusing what can never be a target.

    Raises
    ------
    ScenarioError
        Empty, with a NUL byte, a name longer than the file system allows, or a name
        that is a folder reference (``.``, ``..``, ``/``).
    """
    text = os.fspath(out)
    if not str(text).strip():
        raise ScenarioError("--out is empty; give a path")
    if "\x00" in str(text):
        raise ScenarioError("--out holds a NUL character; give a plain path")
    path = Path(os.path.abspath(os.path.expanduser(text)))
    if path.name in ("", ".", "..") or os.path.basename(str(text).rstrip("/")) in ("", ".", ".."):
        raise ScenarioError(f"--out {str(text)!r} is not a name for a new file or folder")
    if len(os.fsencode(path.name)) > 255 or len(os.fsencode(str(path))) > 4000:
        raise ScenarioError(f"--out {str(text)!r} is too long a name for the file system")
    return path


def claim_output(out: str | os.PathLike, kind: str, *, folder: bool = True, force: bool = False) -> OutputClaim:
    """Check an output target and take its lock, before any computation.

    Parameters
    ----------
    out : path
        The folder (or file) to write.
    kind : {"run", "schedule", "report", "examples"}
    folder : bool
        A folder target (default) or a single file.
    force : bool
        Replace an existing coolshift output of the same kind.

    Returns
    -------
    OutputClaim
        Holding the lock; use it as a context manager and call :meth:`OutputClaim.write`.

    Raises
    ------
    ScenarioError
        The target can never be written (see the module's rules), its folder cannot be
        made or written, or another process holds it.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}")
    claim = OutputClaim(check_out_text(out), kind, folder, force)
    try:
        claim._make_parent()
        claim._acquire()
        claim._recover_leftovers()
        claim._check_target()
    except ScenarioError as exc:
        claim.release()
        if claim.notes:  # say what was recovered even when the claim then fails
            raise ScenarioError(f"{exc} (first, coolshift {'; '.join(claim.notes)})") from None
        raise
    except BaseException:
        claim.release()
        raise
    return claim


def write_output(
    out: str | os.PathLike,
    kind: str,
    fill: Callable[[Path], None],
    *,
    folder: bool = True,
    force: bool = False,
) -> Path:
    """:func:`claim_output` and :meth:`OutputClaim.write` in one step (for callers with
    nothing to compute between the check and the write)."""
    with claim_output(out, kind, folder=folder, force=force) as claim:
        return claim.write(fill)
