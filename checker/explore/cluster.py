"""explore on a Dask cluster (`--dask`, docs/explore.md): Requests -> Reports, one task per
configuration, with the result cache filled as each one finishes.

`--dask local[:N]` starts a LocalCluster of N single-threaded worker processes (default: the
CPU count); `--dask tcp://HOST:PORT` or `--dask-scheduler-file FILE` joins a running cluster.
Requests carry the model's IR and sources, so workers need spec-check installed but no shared
file system. A task that raises is retried once; a task whose worker dies is rescheduled by the
scheduler, and after ALLOWED_FAILURES deaths it is given up (KilledWorker). Either way a cell
that cannot be checked becomes every property UNKNOWN with the reason (`api.failed_request`),
never a lost matrix. Ctrl-C cancels what is left, lists the cells finished (they are in the
cache, so a re-run resumes from them) and ends the run as interrupted.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from checker.api import failed_request
from checker.explore.matrix import CheckFn, Request
from checker.result import Report, Verdict

INSTALL_HINT = "pip install 'spec-check[dask]'"
RETRIES = 1  # a cell whose check raises is tried twice in all
ALLOWED_FAILURES = 1  # a LocalCluster gives a cell up when a second worker dies on it
PROGRESS_EVERY_S = 1.0

OnResult = Callable[[int, Report], None]


class DaskMissing(Exception):
    """`--dask` without the `dask` extra installed."""


@dataclass(frozen=True)
class Target:
    """Where the cluster is: a LocalCluster of `workers` processes, or a scheduler's address or file."""

    address: str | None = None
    workers: int | None = None
    scheduler_file: str | None = None

    def describe(self) -> str:
        if self.scheduler_file:
            return f"the cluster of {self.scheduler_file}"
        if self.address:
            return f"the cluster at {self.address}"
        return f"a local cluster of {self.workers or 'one per CPU'} workers"


def parse_target(text: str | None, scheduler_file: str | None) -> Target:
    """`local`, `local:N` or a scheduler address (`tcp://HOST:PORT`, `tls://...`); ValueError otherwise."""
    if scheduler_file:
        if text:
            raise ValueError("give --dask or --dask-scheduler-file, not both")
        return Target(scheduler_file=scheduler_file)
    if text is None:
        raise ValueError("no cluster given")
    if text == "local" or text.startswith("local:"):
        n = text.partition(":")[2]
        if n and (not n.isdigit() or int(n) < 1):
            raise ValueError(f"`{text}`: the number of local workers must be a positive integer (local:4)")
        return Target(workers=int(n) if n else None)
    if "://" in text:
        return Target(address=text)
    raise ValueError(f"`{text}` is not a cluster: give local, local:N or a scheduler address such as tcp://host:8786")


class ClusterRunner:
    """A context manager holding the Dask client (and the LocalCluster it started); `run` is
    CachedChecker's runner."""

    def __init__(self, target: Target, stream: TextIO | None = None):
        self.target = target
        self.stream = stream or sys.stderr
        self.client: Any = None
        self._cluster: Any = None
        self.done = self.failed = self.total = 0
        self.t0 = time.monotonic()
        self._said = 0.0
        self._said_done = -1

    def __enter__(self) -> ClusterRunner:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as err:
            raise DaskMissing(f"explore --dask needs Dask ({err.name} is missing); {INSTALL_HINT}") from None
        if self.target.scheduler_file:
            self.client = Client(scheduler_file=self.target.scheduler_file)
        elif self.target.address:
            self.client = Client(self.target.address)
        else:
            # One cell per worker at a time (saturation 1.0 with one thread): when a worker dies, only
            # the cell it was running is blamed for it, not cells merely queued there.
            dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                             "distributed.scheduler.worker-saturation": 1.0})
            self._cluster = LocalCluster(n_workers=self.target.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def run(self, requests: Sequence[Request], check: CheckFn, on_result: OnResult) -> list[Report]:
        """Every request's report, in request order; `on_result(i, report)` as each finishes."""
        from distributed import as_completed

        tag = uuid.uuid4().hex[:8]
        futures = [self.client.submit(check, r, key=f"spec-check-cell-{tag}-{i}", retries=RETRIES, pure=False)
                   for i, r in enumerate(requests)]
        index = {f.key: i for i, f in enumerate(futures)}
        self.total += len(futures)
        out: list[Report | None] = [None] * len(futures)
        try:
            for fut in as_completed(futures):
                i = index[fut.key]
                try:
                    # not fut.status: a result kept on a worker that died since is recomputed
                    # elsewhere, and result() waits for that ("pending" here is not a failure)
                    rep = fut.result()
                except KeyboardInterrupt:
                    raise
                except Exception as err:  # noqa: BLE001 - the cell, not the matrix, is lost: UNKNOWN with why
                    self.failed += 1
                    rep = failed_request(requests[i], f"the cell could not be checked on the cluster: {_why(err)}")
                out[i] = rep
                self.done += 1
                on_result(i, rep)
                self._progress(futures)
        except KeyboardInterrupt:
            self.client.cancel([f for f in futures if not f.done()])
            self._finished_cells(requests, out)
            raise
        self._progress(futures, final=True)
        return [r for r in out if r is not None]

    def _progress(self, futures: Sequence[Any], final: bool = False) -> None:
        now = time.monotonic()
        if (final and self.done == self._said_done) or (not final and now - self._said < PROGRESS_EVERY_S):
            return
        self._said, self._said_done = now, self.done
        keys = {f.key for f in futures}
        flight = sum(1 for ks in self.client.processing().values() for k in ks if k in keys)
        self.stream.write(f"explore: {self.done}/{self.total} cells done, {flight} on workers, {self.failed} failed, "
                          f"{now - self.t0:.1f}s elapsed ({self.target.describe()})\n")
        self.stream.flush()

    def _finished_cells(self, requests: Sequence[Request], out: Sequence[Report | None]) -> None:
        done = [(req, rep) for req, rep in zip(requests, out, strict=True) if rep is not None]
        self.stream.write(f"interrupted: {len(done)} of {len(requests)} cells finished (kept in the result cache; "
                          "a re-run resumes from them)\n")
        for _req, rep in done:
            self.stream.write(f"  finished: {rep.config}: {_summary(rep)}\n")
        self.stream.flush()


def _why(err: BaseException) -> str:
    name = type(err).__name__
    if name == "KilledWorker":
        return "its worker died on every try (KilledWorker)"
    return f"{name}: {err}"


def _summary(rep: Report) -> str:
    counts: dict[Verdict, int] = {}
    for r in rep.results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    return ", ".join(f"{n} {v.value.lower()}" for v, n in counts.items()) or "no properties"
