"""Rewrite the snapshot outputs of every fixture folder (``tests/snapshots/``) and the golden files of
every output format (``tests/golden/``) from the current code: ``python scripts/update_snapshots.py``.
``--check`` only lists the stale ones (exit 1). Read the diff before committing it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from snapshot import REPO, SNAPSHOTS, expected_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list stale files without writing them")
    args = parser.parse_args(argv)
    expected = expected_files()
    stale = [path for path, text in expected.items() if not path.is_file() or path.read_text() != text]
    gone = [p for p in SNAPSHOTS.rglob("*.txt") if p not in expected]
    for path in [*stale, *gone]:
        print(f"{'stale' if path in stale else 'gone'}: {path.relative_to(REPO)}")
    if args.check:
        return 1 if stale or gone else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected[path])
    for path in gone:
        path.unlink()
    print(f"{len(stale)} written, {len(gone)} removed, {len(expected) - len(stale)} current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
