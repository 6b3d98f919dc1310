"""Interrupted and broken runs: a worker that dies (out of memory, killed) is exit 2 with a message
naming what was not linted, Ctrl-C is exit 130 with one line and no traceback, and workers die
with their parent even when it is killed with SIGKILL. Each run is a child process whose
``lint_unit`` is wrapped to die or stall on chosen files (forked workers inherit the wrapper)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from child import kill_group

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc for worker processes")

RUNNER = r"""
import os, signal, sys, time
from iam_saas_lint import engine

real_lint_unit = engine.lint_unit

def lint_unit(unit, config, options):
    name = os.path.basename(unit.files[0])
    if name.startswith("die"):
        os.kill(os.getpid(), signal.SIGKILL)
    if name.startswith("stall"):
        open(os.path.join(os.path.dirname(unit.files[0]), "..", "stalled"), "w").close()  # the test waits for it
        time.sleep(120)
    return real_lint_unit(unit, config, options)

engine.lint_unit = lint_unit
# A shell's background job starts with SIGINT ignored, and Python then never raises
# KeyboardInterrupt: the test is about a terminal's Ctrl-C, so the child gets the default handler.
signal.signal(signal.SIGINT, signal.default_int_handler)
from iam_saas_lint.cli import main
sys.exit(main(sys.argv[1:]))
"""
TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
    ' "Principal": {"AWS": "arn:aws:iam::464622532012:root"}}]}\n'
)
UNITS = 24  # over the executor's MIN_PARALLEL_UNITS, so that --jobs 2 starts workers


def _tree(root: Path, special: str) -> Path:
    for index in range(UNITS):
        folder = root / f"r{index:02}"
        folder.mkdir(parents=True)
        (folder / (f"{special}.json" if index == 0 else "trust.json")).write_text(TRUST)
    (root / ".iam-saas-lint.toml").write_text("")
    return root


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-c", RUNNER, "--no-cache", "--format", "concise", *args]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(
        argv, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    """Running or sleeping: a zombie holds no memory (its reaper may be slow in a container)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:  # whatever the test asserted, nothing it started outlives it
        if process.poll() is None:
            kill_group(process.pid)
            process.wait()


def _workers(process: subprocess.Popen[str]) -> set[int]:
    assert _wait_for(lambda: len(_children(process.pid)) >= 2, 60), "no workers started"
    return _children(process.pid)


def test_a_worker_that_dies_is_exit_2_naming_what_was_not_linted(
    tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    process = _start(_tree(tmp_path / "tree", "die"), "--jobs", "2")
    started.append(process)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 2, err
    assert "Traceback" not in err and "BrokenProcessPool" not in out + err
    lost = "ISL000 internal error while linting: a worker process died (killed by the system, perhaps out of memory)"
    assert f"r00/die.json:1:1: {lost}; this file was not linted" in out
    linted = {line.split("/")[0] for line in out.splitlines() if ": ISL001 " in line}
    not_linted = {line.split("/")[0] for line in out.splitlines() if lost in line}
    assert linted | not_linted == {f"r{index:02}" for index in range(UNITS)}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_is_exit_130_without_a_traceback(
    tmp_path: Path, started: list[subprocess.Popen[str]], jobs: str
) -> None:
    process = _start(_tree(tmp_path / "tree", "stall"), "--jobs", jobs)
    started.append(process)
    workers = _workers(process) if jobs == "2" else set()
    assert _wait_for(lambda: (tmp_path / "tree" / "stalled").exists(), 120), "never reached the stalled file"
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err == "iam-saas-lint: interrupted\n"
    assert out == ""
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 10)


def test_workers_die_with_their_parent_after_kill_9(tmp_path: Path, started: list[subprocess.Popen[str]]) -> None:
    process = _start(_tree(tmp_path / "tree", "stall"), "--jobs", "2")
    started.append(process)
    workers = _workers(process)
    os.kill(process.pid, signal.SIGKILL)  # the parent only: nothing else is told
    process.wait(timeout=60)
    assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 10), [p for p in workers if _alive(p)]


class _PoolThatBreaksAfterOneBatch:
    """A process pool whose worker died while batches were still being handed out: the second
    ``submit`` raises, as ``ProcessPoolExecutor.submit`` does once the pool is broken."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.handed = 0

    def submit(self, function: Callable[..., object], *args: object) -> Future[object]:
        from concurrent.futures.process import BrokenProcessPool

        self.handed += 1
        if self.handed > 1:
            raise BrokenProcessPool("A child process terminated abruptly")
        future: Future[object] = Future()
        future.set_result(function(*args))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def test_a_pool_that_breaks_while_work_is_handed_out_names_what_was_not_linted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A worker that dies before the last batch is submitted (CI saw ``submit`` raise): exit 2,
    the first batch's findings, and every other file named as not linted; no traceback."""
    import concurrent.futures

    from iam_saas_lint.cli import main

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _PoolThatBreaksAfterOneBatch)
    monkeypatch.chdir(_tree(tmp_path / "tree", "trust"))
    assert main(["--no-cache", "--format", "concise", "--jobs", "2"]) == 2
    out = capsys.readouterr().out
    lost = "ISL000 internal error while linting: a worker process died (killed by the system, perhaps out of memory)"
    linted = {line.split("/")[0] for line in out.splitlines() if ": ISL001 " in line}
    not_linted = {line.split("/")[0] for line in out.splitlines() if lost in line}
    assert linted and not_linted and not linted & not_linted
    assert linted | not_linted == {f"r{index:02}" for index in range(UNITS)}
