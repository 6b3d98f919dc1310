"""The findings of every fixture folder, as snapshots. After an intended change, run
``python scripts/update_snapshots.py`` and read the diff before committing it."""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot import SNAPSHOTS, fixture_folders, snapshot, snapshot_path


@pytest.mark.parametrize("target", fixture_folders())
def test_fixture_snapshot(target: str) -> None:
    path = snapshot_path(target)
    assert path.is_file(), f"no snapshot for {target}: run python scripts/update_snapshots.py"
    assert snapshot(target) == path.read_text(), f"{path} is stale: run python scripts/update_snapshots.py"


def test_every_snapshot_has_its_fixture() -> None:
    kept = {snapshot_path(target) for target in fixture_folders()}
    assert sorted(p for p in SNAPSHOTS.rglob("*.txt") if p not in kept) == [], "remove snapshots of gone fixtures"


def test_snapshots_cover_every_fixture_family() -> None:
    families = {Path(target).parts[1] for target in fixture_folders()}
    assert families >= {"raw", "cloudformation", "terraform", "account-export", "hostile"}
