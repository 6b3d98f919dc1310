from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run from the repository root, so that findings name files as ``fixtures/...``."""
    monkeypatch.chdir(ROOT)
    yield ROOT
