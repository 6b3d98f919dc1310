"""Run the command line in a child process and watch it: time, peak memory, and what it touches.

The child installs an audit hook (PEP 578) before the linter starts. It records every attempt to
open a path under a ``forbid`` folder (and refuses it), makes paths in ``deny`` unreadable (as
``chmod 000`` would for a user that is not root), refuses sockets and new processes, and records
any write under ``tree``. Peak memory is the child's own high-water mark (VmHWM).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNER = r"""
import json, os, resource, sys, time

settings = json.loads(os.environ["ISL_CHILD"])
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

from iam_saas_lint.cli import main

started = time.perf_counter()
code = main(sys.argv[1:])
seconds = time.perf_counter() - started
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
report = {"code": code, "seconds": seconds, "peak_mb": peak_mb, "events": events}
sys.stderr.write("\n@@child " + json.dumps(report) + "\n")
"""

#: Each hostile input must be dealt with in this time (the linter's own run) and memory (the whole process).
MAX_SECONDS = 2.0
MAX_MB = 200.0


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    events: dict[str, list[str]]
    findings: list[dict[str, Any]] = field(default_factory=list)

    def rows(self, prefix: str = "") -> list[str]:
        """``RULE path:line`` of the findings whose path starts with ``prefix``."""
        return [f"{f['rule']} {f['path']}:{f['line']}" for f in self.findings if f["path"].startswith(prefix)]

    def outside(self, prefix: str) -> list[dict[str, Any]]:
        return [f for f in self.findings if not f["path"].startswith(prefix)]

    def within_limits(self) -> None:
        assert self.seconds < MAX_SECONDS, f"took {self.seconds:.2f} s"
        assert self.peak_mb < MAX_MB, f"peaked at {self.peak_mb:.0f} MB"


def lint_child(
    cwd: Path,
    *args: str,
    output: str = "json",
    forbid: Sequence[Path | str] = (),
    deny: Sequence[Path | str] = (),
    tree: Path | None = None,
    timeout: float = 60,
) -> Outcome:
    settings = {"forbid": [str(p) for p in forbid], "deny": [str(p) for p in deny], "tree": str(tree or "")}
    env = {**os.environ, "ISL_CHILD": json.dumps(settings), "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    # One process and no cache unless a test asks: the user asked for neither in these runs.
    defaults = [] if "--cache" in args else ["--no-cache"]
    if not any(a.startswith("--jobs") for a in args):
        defaults += ["--jobs", "1"]
    argv = [sys.executable, "-c", RUNNER, "--format", output, *defaults, *(a for a in args if a != "--cache")]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    stderr, _, report_line = done.stderr.rpartition("\n@@child ")
    assert report_line, f"the child did not finish: {done.returncode}\n{done.stderr[-3000:]}"
    report = json.loads(report_line)
    outcome = Outcome(report["code"], done.stdout, stderr, report["seconds"], report["peak_mb"], report["events"])
    if output == "json":
        outcome.findings = json.loads(done.stdout)["findings"]
    return outcome
