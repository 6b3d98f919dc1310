"""Run the command line in a child process and watch it: CPU time, peak memory, and what it touches.

The child installs an audit hook (PEP 578) before the linter starts. It records every attempt to
open a path under a ``forbid`` folder (and refuses it), makes paths in ``deny`` unreadable (as
``chmod 000`` would for a user that is not root), refuses sockets and new processes, and records
any write under ``tree``. Peak memory is the child's own high-water mark (VmHWM).

Time is the CPU time (user + system) the linter's run took in the child and in the worker
processes it waited for, never wall time: a machine busy with other work slows the wall clock,
not the CPU time a run needs. The wall clock only bounds a child that hangs (it is killed, with
its workers, and the test fails), and ``RLIMIT_CPU`` stops one that spins.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNER = r"""
import json, os, resource, sys

settings = json.loads(os.environ["ISL_CHILD"])
# A child that spins is stopped by the kernel (SIGXCPU, then SIGKILL) rather than left to the wall clock.
resource.setrlimit(resource.RLIMIT_CPU, (settings["cpu_limit"], settings["cpu_limit"] + 5))
real = os.path.realpath
forbid = [real(p) for p in settings["forbid"]]
deny = {real(p) for p in settings["deny"]}
tree = real(settings["tree"]) if settings["tree"] else None
events = {"forbidden": [], "writes": [], "network": [], "processes": []}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                  "os.forkpty", "pty.spawn", "os.startfile"}
CHANGE_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.symlink", "os.link", "os.truncate",
                 "os.chmod", "os.chown", "os.utime", "shutil.rmtree", "shutil.move", "shutil.copyfile"}

def below(path, roots):
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)

def hook(event, args):
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return
        path = real(os.fsdecode(path))
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS)
        if writing and tree and below(path, [tree]):
            events["writes"].append(path)
        if below(path, forbid):
            events["forbidden"].append(path)
            raise PermissionError(13, "refused by the test", path)
        if path in deny:
            raise PermissionError(13, "Permission denied", path)
    elif event.startswith("socket."):
        events["network"].append(event)
        raise OSError("the network is disabled by the test")
    elif event in PROCESS_EVENTS:
        events["processes"].append(event)
        raise OSError("new processes are disabled by the test")
    elif event in CHANGE_EVENTS and tree:
        for arg in args[:2]:
            if isinstance(arg, (str, bytes)) and below(real(os.fsdecode(arg)), [tree]):
                events["writes"].append(f"{event} {os.fsdecode(arg)}")

sys.addaudithook(hook)

import gc

gc.disable()  # as the program (cli.program) starts: main() then freezes start-up and sets linting's thresholds
from iam_saas_lint.cli import main

def cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the ones waited for (a pool joins its workers)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime

started = cpu_seconds()
code = main(sys.argv[1:])
cpu = cpu_seconds() - started
sys.stdout.flush()
def high_water_mb():
    # ru_maxrss survives execve on Linux, so a child of a big test process would report the parent's
    # peak; VmHWM belongs to this process's own memory map.
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024

peak_mb = high_water_mb()
report = {"code": code, "cpu_seconds": cpu, "peak_mb": peak_mb, "events": events}
sys.stderr.write("\n@@child " + json.dumps(report) + "\n")
"""

#: The README's bound for one hostile input: CPU time of the linter's run (with its workers) on an idle
#: machine, and memory (the child's high-water mark).
BOUND_CPU_SECONDS = 2.0
MAX_MB = 200.0
#: What a test allows: CPU time is not wall time, but on this machine's shared virtual cores the same run
#: measured 1.4 to 1.9 s of CPU time as other work came and went, so the tests allow half again.
LOAD_MARGIN = 1.5
MAX_CPU_SECONDS = BOUND_CPU_SECONDS * LOAD_MARGIN
#: Only to kill a child that hangs (a blocking open, a deadlock): not an assertion about speed.
HUNG_AFTER_SECONDS = 600.0
#: The kernel stops a child that has spun this long (far past any bound a test asserts).
CPU_LIMIT_SECONDS = 120


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    cpu_seconds: float
    peak_mb: float
    events: dict[str, list[str]]
    findings: list[dict[str, Any]] = field(default_factory=list)

    def rows(self, prefix: str = "") -> list[str]:
        """``RULE path:line`` of the findings whose path starts with ``prefix``."""
        return [f"{f['rule']} {f['path']}:{f['line']}" for f in self.findings if f["path"].startswith(prefix)]

    def outside(self, prefix: str) -> list[dict[str, Any]]:
        return [f for f in self.findings if not f["path"].startswith(prefix)]

    def within_limits(self, cpu_seconds: float = MAX_CPU_SECONDS, mb: float = MAX_MB) -> None:
        assert self.cpu_seconds < cpu_seconds, f"took {self.cpu_seconds:.2f} s of CPU time"
        assert self.peak_mb < mb, f"peaked at {self.peak_mb:.0f} MB"


def lint_child(
    cwd: Path,
    *args: str,
    output: str = "json",
    forbid: Sequence[Path | str] = (),
    deny: Sequence[Path | str] = (),
    tree: Path | None = None,
    stdin: str | None = None,
) -> Outcome:
    settings = {
        "forbid": [str(p) for p in forbid],
        "deny": [str(p) for p in deny],
        "tree": str(tree or ""),
        "cpu_limit": CPU_LIMIT_SECONDS,
    }
    env = {**os.environ, "ISL_CHILD": json.dumps(settings), "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    # One process and no cache unless a test asks: the user asked for neither in these runs.
    defaults = [] if "--cache" in args else ["--no-cache"]
    if not any(a.startswith("--jobs") for a in args):
        defaults += ["--jobs", "1"]
    argv = [sys.executable, "-c", RUNNER, "--format", output, *defaults, *(a for a in args if a != "--cache")]
    returncode, stdout, stderr = run_watched(argv, cwd, env, stdin)
    before, separator, report_line = stderr.rpartition("\n@@child ")
    assert separator, f"the child did not finish: {returncode}\n{stderr[-3000:]}"
    stderr = before
    report = json.loads(report_line)
    outcome = Outcome(report["code"], stdout, stderr, report["cpu_seconds"], report["peak_mb"], report["events"])
    if os.environ.get("ISL_CHILD_LOG"):  # the figures behind the bounds: ISL_CHILD_LOG=file pytest ...
        with open(os.environ["ISL_CHILD_LOG"], "a", encoding="utf-8") as log:
            test = os.environ.get("PYTEST_CURRENT_TEST", "?")
            log.write(f"{test} cpu={outcome.cpu_seconds:.2f} mb={outcome.peak_mb:.0f}\n")
    if output == "json":
        outcome.findings = json.loads(stdout)["findings"]
    return outcome


def run_watched(argv: Sequence[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> tuple[int, str, str]:
    """Run ``argv`` in its own process group; if it hangs, kill the group (its workers too) and fail."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(stdin, timeout=HUNG_AFTER_SECONDS)
    except subprocess.TimeoutExpired:
        kill_group(process.pid)
        stdout, stderr = process.communicate()
        raise AssertionError(
            f"the child hung for {HUNG_AFTER_SECONDS:.0f} s and was killed\n{stderr[-3000:]}"
        ) from None
    finally:
        if process.poll() is None:
            kill_group(process.pid)
            process.wait()
    return process.returncode, stdout, stderr


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
