"""Running units: from the cache when nothing they read has changed, else serially or in worker
processes (``--jobs``). The output never depends on which: findings are sorted at the end."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from .findings import Finding
from .model.document import Suppression
from .records import dataclass, field
from .sources.raw_policy import RawPolicy

if TYPE_CHECKING:
    from concurrent.futures import Executor as FuturesExecutor
    from concurrent.futures import Future

    from .config import Config
    from .sources import ReadOptions, Unit

#: Below this many units to lint, starting worker processes costs more than it saves, whatever
#: ``--jobs`` says.
MIN_PARALLEL_UNITS = 16
#: Without ``--jobs``: one process below this many units left to lint after the cache (measured by
#: ``bench/jobs.py``: on two CPUs, two workers only win on a few hundred units and more).
AUTO_PARALLEL_UNITS = 300


@dataclass
class UnitResult:
    """What linting one unit gave: plain data, so that it can come from a worker or the cache."""

    findings: list[Finding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    #: Role name → the files it is made of, to report only what named files take part in.
    role_files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: A raw policy file, bundled in the second pass; ``raw_policy`` is its parsed document when it was
    #: read in this run (not kept in the cache), so that the second pass does not read it again.
    raw: bool = False
    raw_policy: RawPolicy | None = None
    #: Why the unit's file was not read (``--verbose``).
    skipped: str = ""
    roles: int = 0
    internal_error: bool = False
    tracebacks: list[str] = field(default_factory=list)
    #: The readers' notes (``--verbose``).
    notes: list[str] = field(default_factory=list)
    #: Files read as part of this unit (nested stack templates), not reported on their own.
    included: tuple[str, ...] = ()
    #: Every path the unit's readers tried, with what they found (for the cache; see ``sources.text.files``).
    reads: dict[str, str] = field(default_factory=dict)


Work = Callable[["Unit", "Config", "ReadOptions"], UnitResult]
#: Told how many files the units just done hold.
Progress = Callable[[int], None]
#: What a unit gives when the worker process linting it died (killed, or out of memory).
Lost = Callable[["Unit", str], UnitResult]


class ResultCache(Protocol):
    """Where unit results are kept between runs (``cache.Cache``, which imports this module)."""

    def get(self, unit: Unit) -> UnitResult | None: ...

    def put(self, unit: Unit, result: UnitResult) -> None: ...

    def save(self) -> None: ...


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def jobs_for(units_to_lint: int) -> int:
    """The default number of processes: one for a few hundred units or fewer (a pre-commit run, or a
    tree the cache mostly serves), else every available CPU."""
    return 1 if units_to_lint < AUTO_PARALLEL_UNITS else available_cpus()


def _size(unit: Unit) -> int:
    total = 0
    for path in unit.files:
        with contextlib.suppress(OSError):
            total += os.path.getsize(path)
    return total


def _batches(units: Sequence[Unit], jobs: int) -> list[list[Unit]]:
    """Largest units first, each big one alone and small ones grouped, so that workers stay busy
    to the end without paying a round trip per small file."""
    sized = sorted(((_size(unit), unit) for unit in units), key=lambda pair: pair[0], reverse=True)
    target = max(1, sum(size for size, _ in sized) // (jobs * 24))
    batches: list[list[Unit]] = []
    current: list[Unit] = []
    filled = 0
    for size, unit in sized:
        current.append(unit)
        filled += size
        if filled >= target:
            batches.append(current)
            current, filled = [], 0
    if current:
        batches.append(current)
    return batches


def _run_one(work: Work, unit: Unit, config: Config, options: ReadOptions, record: bool) -> UnitResult:
    if not record:
        return work(unit, config, options)
    from .sources.text.files import start_read_log, stop_read_log

    start_read_log()
    try:
        result = work(unit, config, options)
    finally:
        reads = stop_read_log()
    result.reads = reads
    return result


def _run_batch(work: Work, batch: list[Unit], config: Config, options: ReadOptions, record: bool) -> list[UnitResult]:
    return [_run_one(work, unit, config, options, record) for unit in batch]


def _worker_start(parent: int) -> None:
    """In each worker: leave Ctrl-C to the parent, and die with it even when it is killed (``kill -9``)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _die_with_parent():
        import threading

        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _die_with_parent() -> bool:
    """Linux: the kernel sends SIGKILL to this process when its parent ends (``PR_SET_PDEATHSIG``)."""
    if not os.path.exists("/proc/self"):
        return False
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)) == 0  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:  # pragma: no cover - systems without PR_SET_PDEATHSIG
    import time

    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class Executor:
    def __init__(
        self,
        work: Work,
        config: Config,
        options: ReadOptions,
        jobs: int | None,
        cache: ResultCache | None,
        progress: Progress | None = None,
        lost: Lost | None = None,
    ) -> None:
        """``jobs=None``: chosen from the work (``jobs_for``). ``lost``: what a unit gives when the
        worker linting it died (else ``BrokenProcessPool`` is raised)."""
        self.work = work
        self.progress = progress
        self.lost = lost
        self.config = config
        self.options = options
        self.requested = jobs
        self.jobs = max(1, jobs or 1)
        self.cache = cache
        self.linted = 0
        self._pool: FuturesExecutor | None = None

    def run(self, units: Sequence[Unit]) -> list[tuple[Unit, UnitResult]]:
        # by identity: hashing each unit (its tuple of files) twice was 0.4% of a folder of 10,000 files
        results: dict[int, UnitResult] = {}
        todo: list[Unit] = []
        for unit in units:
            cached = self.cache.get(unit) if self.cache is not None else None
            if cached is None:
                todo.append(unit)
            else:
                results[id(unit)] = cached
                self._advance([unit])
        for unit, result in self._compute(todo):
            results[id(unit)] = result
            if self.cache is not None and not result.internal_error:
                self.cache.put(unit, result)
        self.linted += len(todo)
        return [(unit, results[id(unit)]) for unit in units]

    def _compute(self, todo: list[Unit]) -> list[tuple[Unit, UnitResult]]:
        record = self.cache is not None
        if self.requested is None:
            self.jobs = jobs_for(len(todo))
        if self.jobs == 1 or len(todo) < MIN_PARALLEL_UNITS:
            serial = []
            for unit in todo:
                serial.append((unit, _run_one(self.work, unit, self.config, self.options, record)))
                self._advance([unit])
            return serial
        from concurrent.futures.process import BrokenProcessPool

        batches = _batches(todo, self.jobs)
        pool = self._workers()
        try:
            futures: list[Future[list[UnitResult]] | None] = []
            for batch in batches:
                try:
                    futures.append(pool.submit(_run_batch, self.work, batch, self.config, self.options, record))
                except BrokenProcessPool:  # a worker died while batches were still being handed out
                    futures.append(None)
            done: list[tuple[Unit, UnitResult]] = []
            for batch, future in zip(batches, futures, strict=True):
                try:
                    if future is None:
                        raise BrokenProcessPool("the pool broke before this batch was handed out")
                    done.extend(zip(batch, future.result(), strict=True))
                except BrokenProcessPool:
                    if self.lost is None:
                        raise
                    why = "a worker process died (killed by the system, perhaps out of memory)"
                    done.extend((unit, self.lost(unit, why)) for unit in batch)
                self._advance(batch)
        except BaseException:  # Ctrl-C, or a pool that cannot go on: no worker outlives the run
            self.abort()
            raise
        if any(future is None or future.exception() is not None for future in futures):
            self.abort()  # a broken pool takes no more work: the next pass starts a new one
        return done

    def _advance(self, units: Sequence[Unit]) -> None:
        if self.progress is not None:
            self.progress(sum(len(unit.files) for unit in units))

    def _workers(self) -> FuturesExecutor:
        # imported here: a one-file pre-commit run never starts workers and should not pay for them
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),)
            )
        return self._pool

    def abort(self) -> None:
        """Stop the workers now (their results are not waited for); the cache is not saved."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        workers = getattr(pool, "_processes", None) or {}  # no public way to stop a busy worker
        for process in list(workers.values()):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        if self.cache is not None:
            self.cache.save()
