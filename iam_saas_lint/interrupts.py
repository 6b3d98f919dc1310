"""Ctrl-C ends a run with exit code 130 and one line, never a traceback (nor one per worker)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import Protocol

#: What a shell reports for a process ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130


class Main(Protocol):
    def __call__(self, argv: Sequence[str] | None = None) -> int: ...


def exits_cleanly(main: Main) -> Main:
    @functools.wraps(main)
    def interruptible(argv: Sequence[str] | None = None) -> int:
        try:
            return main(argv)
        except KeyboardInterrupt:
            import signal  # here: a run that is not interrupted does not need it

            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while stopping changes nothing
            print("iam-saas-lint: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED

    return interruptible
