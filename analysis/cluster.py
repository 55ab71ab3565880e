"""Scale-out on a Dask cluster: scheduler addresses, the client, and an ordered map of partitions over it.

`analyze` and `ingest` take ``--scheduler ADDRESS``; this module turns the address into a Dask client and runs the
command's per-partition function on the workers, handing results back in partition order so that the tables written
are byte-identical to a local run. Dask does the scheduling, retries and transport; nothing here schedules work.
Dask is imported inside the functions, so a plain local run never imports it.

Addresses:

- ``local`` or ``local:N``: a `distributed.LocalCluster` of N single-threaded worker processes on this machine;
- ``tcp://host:8786`` (or ``tls://``, ``ws://``, ``wss://``, ``inproc://``): an existing scheduler;
- ``slurm:FILE.yaml``: a `dask_jobqueue.SLURMCluster` built from the settings in FILE (see docs/scale.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import AnalysisError, ParameterError

log = logging.getLogger(__name__)

_REMOTE = re.compile(r"^(tcp|tls|ws|wss|inproc|ucx)://\S+$")
# Settings a SLURM YAML may hold besides the SLURMCluster keyword arguments.
_SLURM_KEYS = {"jobs", "cluster"}
CONNECT_TIMEOUT = "20s"


class ClusterError(AnalysisError):
    """The Dask scheduler cannot be reached or was lost during a run (no output is written then)."""


def add_scheduler_option(parser, *, what: str = "the outputs") -> None:
    """The ``--scheduler`` option of `ingest` and `analyze` (parsing it needs no Dask, so `--help` stays light)."""
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: local or local:N (N worker processes here), tcp://host:8786 (an existing "
        f"scheduler) or slurm:FILE.yaml (dask-jobqueue settings); {what} are identical to a local run; "
        "see docs/scale.md",
    )


@dataclass(frozen=True)
class Scheduler:
    """A parsed ``--scheduler`` value."""

    kind: str  # "local", "address" or "slurm"
    spec: str  # the value as given
    address: str | None = None
    n_workers: int | None = None
    slurm: dict = field(default_factory=dict)  # {"jobs": N, "cluster": {SLURMCluster keyword arguments}}

    def describe(self) -> dict:
        """The scheduler fields recorded in manifests (the only fields that differ from a local run)."""
        out: dict[str, Any] = {"kind": self.kind, "spec": self.spec}
        if self.n_workers is not None:
            out["n_workers"] = self.n_workers
        return out


def parse_scheduler(spec: str) -> Scheduler:
    """Parse ``local``, ``local:N``, ``tcp://host:port`` or ``slurm:FILE.yaml``; a clear error otherwise."""
    value = str(spec).strip()
    if value == "local" or value.startswith("local:") or value.startswith("local["):
        n = value[len("local") :].strip(":[]")
        if not n:
            return Scheduler("local", value, n_workers=os.cpu_count() or 1)
        if not n.isdigit() or int(n) < 1:
            raise ParameterError(f"--scheduler {value!r}: the number of local workers must be 1 or more, e.g. local:2")
        return Scheduler("local", value, n_workers=int(n))
    if _REMOTE.match(value):
        return Scheduler("address", value, address=value)
    if value.startswith("slurm:"):
        return Scheduler("slurm", value, slurm=load_slurm_settings(value[len("slurm:") :]))
    raise ParameterError(
        f"--scheduler {value!r} is not understood: use local, local:N, a scheduler address such as "
        "tcp://host:8786, or slurm:FILE.yaml"
    )


def load_slurm_settings(path: str | os.PathLike) -> dict:
    """Read a SLURM YAML: ``jobs`` (how many SLURM jobs to start) and ``cluster`` (SLURMCluster keyword arguments)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParameterError(f"SLURM settings {path}: cannot read it ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise ParameterError(f"SLURM settings {path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cluster", {}), dict):
        raise ParameterError(f"SLURM settings {path}: expected a mapping with 'jobs' and a 'cluster' mapping")
    unknown = set(data) - _SLURM_KEYS
    if unknown:
        raise ParameterError(f"SLURM settings {path}: unknown key(s) {sorted(unknown)}; allowed: jobs, cluster")
    jobs = data.get("jobs", 1)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ParameterError(f"SLURM settings {path}: 'jobs' must be a whole number of 1 or more, got {jobs!r}")
    return {"jobs": jobs, "cluster": dict(data.get("cluster") or {})}


class Cluster:
    """A connected Dask client for one run; use as a context manager.

    ``map(func, items)`` runs ``func(item)`` on the workers and yields the results in the order of ``items``,
    with at most ``max_in_flight`` partitions submitted at once (memory on the client stays bounded).
    """

    def __init__(self, scheduler: Scheduler | str):
        self.scheduler = parse_scheduler(scheduler) if isinstance(scheduler, str) else scheduler
        self.client = None
        self._cluster = None

    def __enter__(self) -> Cluster:
        from distributed import Client

        sched = self.scheduler
        try:
            if sched.kind == "local":
                from distributed import LocalCluster

                self._cluster = LocalCluster(
                    n_workers=sched.n_workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                )
                self.client = Client(self._cluster)
            elif sched.kind == "slurm":
                from dask_jobqueue import SLURMCluster

                self._cluster = SLURMCluster(**sched.slurm["cluster"])
                self._cluster.scale(jobs=sched.slurm["jobs"])
                self.client = Client(self._cluster)
            else:
                self.client = Client(sched.address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, RuntimeError) as exc:  # RuntimeError: a LocalCluster worker failed to start
            self.close()
            raise ClusterError(
                f"cannot reach the Dask scheduler {sched.spec!r} ({type(exc).__name__}: {exc}); is it running? "
                "Start one with `dask scheduler` (and workers with `dask worker ADDRESS`), or use --scheduler local"
            ) from exc
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for obj in (self.client, self._cluster):
            if obj is not None:
                try:
                    obj.close()
                except Exception:  # noqa: BLE001 - closing a lost connection must not mask the run's own error
                    log.debug("closing %r failed", obj, exc_info=True)
        self.client = self._cluster = None

    @property
    def dashboard_link(self) -> str | None:
        return getattr(self.client, "dashboard_link", None)

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {})) if self.client else 0

    def submit(self, func: Callable[..., Any], *args: Any, retries: int = 2):
        """Submit ``func(*args)``; a worker lost mid-task is retried by Dask up to ``retries`` times."""
        # pure=False: identical partitions (replicated corpora) are still separate tasks.
        return self.client.submit(func, *args, pure=False, retries=retries)

    @contextlib.contextmanager
    def lost_scheduler_errors(self) -> Iterator[None]:
        """Turn a lost scheduler connection inside the block into one :class:`ClusterError`.

        An exception raised by the task itself on a worker passes through unchanged, exactly as in a local run.
        """
        from distributed.client import FutureCancelledError
        from distributed.comm.core import CommClosedError

        try:
            yield
        except (CommClosedError, FutureCancelledError, OSError, TimeoutError) as exc:
            raise ClusterError(
                f"lost the Dask scheduler {self.scheduler.spec!r} during the run ({type(exc).__name__}: {exc}); "
                "no output was written: re-run when the cluster is back"
            ) from exc

    @property
    def max_in_flight(self) -> int:
        """Partitions submitted at once: two per worker keeps workers busy and client memory bounded."""
        return max(2, 2 * max(self.n_workers, 1))

    def map(self, func: Callable[..., Any], items: Iterable[Any], *, max_in_flight: int | None = None) -> Iterator[Any]:
        """Yield ``func(item)`` for every item, in order, with at most ``max_in_flight`` items submitted at once."""
        with self.lost_scheduler_errors():
            yield from map_ordered(
                lambda item: self.submit(func, item), items, limit=max_in_flight or self.max_in_flight
            )

    def announce(self, file=None) -> None:
        """Print where the Dask dashboard is (progress per task, worker memory) on stderr."""
        print(
            f"dask: {self.n_workers} worker(s) on {self.scheduler.spec}; dashboard: {self.dashboard_link}",
            file=file or sys.stderr,
        )


def map_ordered(submit: Callable[[Any], Any], items: Iterable[Any], *, limit: int) -> Iterator[Any]:
    """The results of ``submit(item)`` futures (Dask's or ``concurrent.futures``'), in the order of ``items``, with at
    most ``limit`` submitted at once: workers stay busy while the caller's memory stays bounded. ``items`` is read
    lazily; the futures left when the caller stops are cancelled."""
    pending: deque = deque()
    it = iter(items)
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < limit:
                try:
                    pending.append(submit(next(it)))
                except StopIteration:
                    exhausted = True
            if not pending:
                return
            future = pending.popleft()
            yield future.result()
            release = getattr(future, "release", None)  # Dask: let the worker drop the result now
            if release is not None:
                release()
    finally:
        for future in pending:
            future.cancel()
