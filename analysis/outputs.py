"""Output sets installed all or nothing: staged in a private folder, switched in under a marker, debris cleaned.

A command that writes several files that only make sense together (ingest: the corpus, its rejects, removed spans
and manifest; analyze: every table and the manifest) writes them with :class:`OutputSet`:

1. ``--out`` is checked first (:func:`prepare_folder`): a file in the way or a folder that cannot be written is a
   one-line :class:`~analysis.errors.InputError` before any work is done;
2. every file is written into a fresh staging folder ``<folder>/.<set>.staging-<host>-<pid>-<random>/``;
3. :meth:`OutputSet.commit` writes the marker ``<folder>/.<set>.incomplete``, moves the files in (the manifest
   last), removes the files of the previous set that this code recorded as its own and this run did not write
   again, and removes the marker last. SIGINT/SIGTERM are held back while it runs (a few renames), and if the process
   dies anyway (SIGKILL, power loss) the marker stays: :func:`require_complete` makes every reader refuse the set
   until a new run replaces it.

Only files named in the set's own ledger (``<folder>/.<set>.files.json``, written by :meth:`commit` with each file's
sha256) are ever deleted, and only when they are still the regular file that was written, inside ``folder``. Names
from any other source (an old manifest, data) are never used to delete anything.

Debris of interrupted earlier runs (staging folders of processes that are gone, temporary ``.*.tmp`` files of this
set's files, old ``.analyze-*`` build folders) is removed by the next run into the same folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from analysis.errors import InputError

MARKER_SUFFIX = ".incomplete"
LEDGER_SUFFIX = ".files.json"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# build folders of analyze before output sets existed (tempfile.mkdtemp(prefix=".analyze-")): always debris now
_LEGACY_DEBRIS = re.compile(r"^\.analyze-[A-Za-z0-9_]+$")
_DEBRIS_AGE = 24 * 3600  # seconds after which another host's staging folder counts as abandoned


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    except OSError:
        return False
    return True


def check_name(name: str) -> str:
    """``name`` if it is a plain file name (letters, digits, ``_ . -``; no folder, no ``..``), else an InputError."""
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or name in (".", ".."):
        raise InputError(f"{name!r} is not a plain output file name (letters, digits, _ . -)")
    return name


def _describe_oserror(exc: OSError) -> str:
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "a file is in the way (a folder is needed there)"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)


def prepare_folder(folder: str | os.PathLike, *, option: str = "--out") -> Path:
    """Create ``folder`` (with parents) and check that files can be created in it; a clear InputError otherwise.

    Called before any work, so a bad ``--out`` fails in a second rather than after the whole run.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise NotADirectoryError(str(folder))
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            f"{option} {folder}: cannot write there ({_describe_oserror(exc)}): choose a folder you can write to"
        ) from None
    return folder


def marker_path(folder: str | os.PathLike, set_name: str) -> Path:
    """The marker that exists while a set is being switched in (and stays if that was interrupted)."""
    return Path(folder) / f".{check_name(set_name)}{MARKER_SUFFIX}"


def require_complete(folder: str | os.PathLike, set_name: str, *, rerun: str) -> None:
    """Raise an InputError when the set ``set_name`` in ``folder`` was left incomplete by an interrupted run."""
    marker = marker_path(folder, set_name)
    if marker.exists():
        raise InputError(
            f"the {set_name} outputs in {Path(folder)} are incomplete (a run was interrupted while installing them, "
            f"see {marker.name}): re-run {rerun}"
        )


def _tmp_pid(name: str) -> int | None:
    # temporary files written by analysis.tables: .<file>.<pid>.<random>.tmp
    parts = name.split(".")
    for p in parts[2:-1]:
        if p.isdigit():
            return int(p)
    return None


def clean_debris(folder: str | os.PathLike, set_name: str, files: Iterable[str] = ()) -> list[str]:
    """Remove what interrupted earlier runs left in ``folder``: staging folders of ``set_name`` whose process is
    gone, temporary files of ``files`` whose writer is gone, old ``.analyze-*`` build folders. Returns the names."""
    folder = Path(folder)
    removed = []
    if not folder.is_dir():
        return removed
    prefix = f".{check_name(set_name)}.staging-"
    tmp_prefixes = tuple(f".{check_name(f)}." for f in files)
    host, now = _host(), time.time()
    for entry in os.scandir(folder):
        name = entry.name
        try:
            if name.startswith(prefix) and entry.is_dir(follow_symlinks=False):
                h, _, rest = name[len(prefix) :].partition("-")
                pid = rest.partition("-")[0]
                gone = (
                    (h == host and pid.isdigit() and not _pid_alive(int(pid)))
                    if h == host
                    else now - entry.stat(follow_symlinks=False).st_mtime > _DEBRIS_AGE
                )
                if gone:
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed.append(name)
            elif _LEGACY_DEBRIS.match(name) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(name)
            elif tmp_prefixes and name.startswith(tmp_prefixes) and name.endswith(".tmp"):
                if entry.is_file(follow_symlinks=False):
                    pid = _tmp_pid(name)
                    if pid is None or not _pid_alive(pid):
                        os.unlink(entry.path)
                        removed.append(name)
        except OSError:
            continue
    return sorted(removed)


class InterruptedAfterCommit(KeyboardInterrupt):
    """Ctrl-C or SIGTERM arrived while an output set was being switched in: the switch was completed first."""


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs, then act on them once it is done
    (:class:`InterruptedAfterCommit`, a KeyboardInterrupt).

    The block should be short (renames): it is what makes "interrupted" mean "nothing half-installed".
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        old[sig] = signal.getsignal(sig)
        signal.signal(sig, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if received:
        raise InterruptedAfterCommit


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 of a file's bytes (read in blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _load_ledger(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files", {}) if isinstance(data, dict) else {}
    return {k: v for k, v in files.items() if isinstance(k, str) and _SAFE_NAME.match(k) and isinstance(v, str)}


class OutputSet:
    """Files written together into ``folder`` and installed all at once (see the module docstring).

    >>> with OutputSet(folder, "analysis") as out:     # doctest: +SKIP
    ...     save_table(df, out.path("documents.parquet"))
    ...     out.commit(last="manifest.json")

    Leaving the block without :meth:`commit` (an error, Ctrl-C, SIGTERM) removes the staging folder and leaves the
    previous set untouched.
    """

    def __init__(self, folder: str | os.PathLike, set_name: str, *, option: str = "--out"):
        self.folder = Path(folder)
        self.set_name = check_name(set_name)
        self.option = option
        self.stage: Path | None = None
        self.debris: list[str] = []

    @property
    def ledger_path(self) -> Path:
        return self.folder / f".{self.set_name}{LEDGER_SUFFIX}"

    @property
    def marker(self) -> Path:
        return marker_path(self.folder, self.set_name)

    def previous_files(self) -> list[str]:
        """The file names the previous run of this set recorded in its ledger."""
        return sorted(_load_ledger(self.ledger_path))

    def __enter__(self) -> OutputSet:
        prepare_folder(self.folder, option=self.option)
        self.debris = clean_debris(self.folder, self.set_name, self.previous_files())
        prefix = f".{self.set_name}.staging-{_host()}-{os.getpid()}-"
        try:
            self.stage = Path(tempfile.mkdtemp(prefix=prefix, dir=self.folder))
        except OSError as exc:
            raise InputError(
                f"{self.option} {self.folder}: cannot write there ({_describe_oserror(exc)}): choose another folder"
            ) from None
        return self

    def __exit__(self, *exc) -> None:
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None

    def path(self, name: str) -> Path:
        """Where to write the file ``name`` of this set (inside the staging folder)."""
        if self.stage is None:
            raise RuntimeError("OutputSet.path() outside its `with` block")
        return self.stage / check_name(name)

    def staged(self) -> list[str]:
        """The files written so far (plain names)."""
        if self.stage is None:
            return []
        return sorted(p.name for p in self.stage.iterdir() if p.is_file() and not p.name.startswith("."))

    def commit(self, *, last: str | None = None, remove_obsolete: bool = True) -> list[str]:
        """Switch the staged files in (``last`` moved last, e.g. the manifest); with ``remove_obsolete``, remove this
        set's earlier files that were not written again. Returns the names of the removed earlier files."""
        names = self.staged()
        if last is not None:
            check_name(last)
            if last not in names:
                raise RuntimeError(f"{last} was not written into the output set")
            names = [n for n in names if n != last] + [last]
        sums = {n: file_sha256(self.stage / n) for n in names}
        previous = _load_ledger(self.ledger_path) if remove_obsolete else {}
        obsolete = []
        for n, sha in sorted(previous.items()):
            target = self.folder / n
            # only the regular file this code wrote (same bytes), never a symlink, never outside the folder
            if n in sums or target.is_symlink() or not target.is_file():
                continue
            if target.resolve().parent == self.folder.resolve() and file_sha256(target) == sha:
                obsolete.append(target)
        with deferred_signals():
            self.marker.write_text(json.dumps({"files": names, "pid": os.getpid()}, indent=1) + "\n")
            for n in names:
                os.replace(self.stage / n, self.folder / n)
            for target in obsolete:
                target.unlink(missing_ok=True)
            tmp = self.ledger_path.with_name(self.ledger_path.name + f".{os.getpid()}.tmp")
            # the manifest (``last``) is rewritten by every run, never deleted: the ledger lists the other files, so two
            # runs with identical tables have identical ledgers whatever their manifests say
            ledger = {n: h for n, h in sums.items() if n != last}
            tmp.write_text(json.dumps({"files": ledger}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(tmp, self.ledger_path)
            self.marker.unlink()
        return [t.name for t in obsolete]


__all__ = [
    "InterruptedAfterCommit",
    "OutputSet",
    "check_name",
    "clean_debris",
    "deferred_signals",
    "file_sha256",
    "marker_path",
    "prepare_folder",
    "require_complete",
]
