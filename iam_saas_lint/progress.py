"""Progress on stderr for long runs on a terminal: ``files done / total``, only after about a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: A run shorter than this shows nothing.
DELAY_SECONDS = 1.0
#: At most this often a line is redrawn.
INTERVAL_SECONDS = 0.1


class Progress:
    """Called with the files done and the total; the caller decides whether it is wanted (a terminal,
    no ``NO_COLOR``, no ``--quiet``)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.shown_at = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < DELAY_SECONDS or now - self.shown_at < INTERVAL_SECONDS:
            return
        self.shown_at = now
        self.shown = True
        self.stream.write(f"\riam-saas-lint: {done:,} / {total:,} files")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
