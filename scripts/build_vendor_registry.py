"""Rebuild ``iam_saas_lint/data/vendors.json`` from fwdcloudsec/known_aws_accounts.

Usage: python scripts/build_vendor_registry.py PATH/TO/known_aws_accounts.yaml

The list is Apache-2.0 (https://github.com/fwdcloudsec/known_aws_accounts); the ids, names and
source URLs are kept, in a JSON file the linter loads without PyYAML.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent.parent / "iam_saas_lint" / "data" / "vendors.json"
ACCOUNT = re.compile(r"^\d{12}$")


def build(source: Path) -> dict[str, object]:
    entries = yaml.safe_load(source.read_text())
    vendors = []
    for entry in entries:
        accounts = sorted({str(a) for a in entry.get("accounts", []) if ACCOUNT.match(str(a))})
        if not accounts:
            continue
        sources = entry.get("source", [])
        vendors.append(
            {
                "name": str(entry["name"]),
                "accounts": accounts,
                "sources": [sources] if isinstance(sources, str) else list(sources),
                "aws_service": entry.get("type") == "aws",
            }
        )
    return {
        "source": "https://github.com/fwdcloudsec/known_aws_accounts",
        "license": "Apache-2.0",
        "vendors": sorted(vendors, key=lambda v: str(v["name"]).lower()),
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(Path(sys.argv[1])), indent=1) + "\n")
    print(f"wrote {OUT}")
