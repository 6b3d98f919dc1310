"""Add a rule: ``python scripts/new_rule.py ISL015 federated-session-tags``.

Writes the files a new rule needs and nothing else:

- ``iam_saas_lint/rules/isl015_federated_session_tags.py``: the docstring sections the docs are
  generated from, a ``check`` that finds nothing yet, and its ``RULE`` with the metadata to fill in;
- ``tests/cases/ISL015.yaml``: a first case, written once as a role and checked as raw JSON,
  CloudFormation YAML and Terraform (``tests/test_rule_cases.py``);
- its entry in the registry, ``iam_saas_lint/rules/__init__.py`` (import and ``RULES``, in id order);
- its row in the README's rule table;

then regenerates ``docs/rules/`` (``python -m iam_saas_lint.docgen``). Run it from anywhere; it
works on the checkout it lives in (``--root`` for another).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ID = re.compile(r"^ISL\d{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

MODULE = '''"""## What it does
Reports TODO: one sentence on what the rule finds (the summary the rule table and SARIF show).

## Why is this bad?
TODO: what someone outside your account can do because of it.

## Example
```json
{{"Version": "2012-10-17",
 "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {{"AWS": "arn:aws:iam::464622532012:root"}}}}]}}
```

## Use instead
```json
{{"Version": "2012-10-17",
 "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {{"AWS": "arn:aws:iam::464622532012:root"}},
                "Condition": {{"StringEquals": {{"sts:ExternalId": "a1b2c3d4e5"}}}}}}]}}
```

## References
- IAM JSON policy elements: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    # Ask the model (context.trust(role), context.deny(role), ...) and yield, per problem,
    # Violation(" <what is wrong, after the role's label>", anchor, role, document, "<what it concerns>"),
    # or an Unverifiable when the answer depends on an unresolved value.
    yield from ()


RULE = Rule(
    "{id}",
    "{name}",
    Severity.WARNING,
    check,
    __doc__ or "",
    hint="TODO: one line on how to fix it",
    security_severity="5.0",
)
'''

CASES = """# Cases for {id} {name}. A role case is written once and checked in every syntax;
# expect lists "RULE path:line:column" per syntax (the test prints what it found).
- name: a-vendor-role-with-an-external-id-and-a-source-ip-deny-passes
  role:
    trust:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {{AWS: "arn:aws:iam::464622532012:root"}}
          Action: sts:AssumeRole
          Condition: {{StringEquals: {{sts:ExternalId: 9f1c2a7e4b8d4e0f}}}}
    policies:
      deny:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: "*"
            Resource: "*"
            Condition: {{NotIpAddress: {{aws:SourceIp: [203.0.113.0/24]}}}}
  expect:
    json: []
    cloudformation: []
    terraform: []
"""


class RuleExists(ValueError):
    pass


def module_name(rule_id: str, name: str) -> str:
    return f"isl{rule_id[3:]}_{name.replace('-', '_')}"


def register(registry: str, module: str) -> str:
    """Add ``module`` to the import list and to ``RULES``, both kept in id order."""
    imports = re.search(r"from \. import \(\n(.*?)\)\n", registry, re.S)
    rules = re.search(r"RULES: tuple\[Rule, \.\.\.\] = \(\n(.*?)\)\n", registry, re.S)
    if imports is None or rules is None:
        raise ValueError("rules/__init__.py no longer has the import list and RULES tuple this script edits")
    modules = sorted({*re.findall(r"^\s+(\w+),$", imports.group(1), re.M), module})
    entries = sorted({*re.findall(r"^\s+(\w+)\.RULE,$", rules.group(1), re.M), module})
    new_imports = "from . import (\n" + "".join(f"    {m},\n" for m in modules) + ")\n"
    new_rules = "RULES: tuple[Rule, ...] = (\n" + "".join(f"    {m}.RULE,\n" for m in entries) + ")\n"
    registry = registry[: imports.start()] + new_imports + registry[imports.end() :]
    rules = re.search(r"RULES: tuple\[Rule, \.\.\.\] = \(\n(.*?)\)\n", registry, re.S)
    assert rules is not None
    return registry[: rules.start()] + new_rules + registry[rules.end() :]


def readme_row(readme: str, rule_id: str, name: str) -> str:
    """Insert the rule's row in the README's rule table, in id order, linked like the other rows."""
    lines = readme.splitlines(keepends=True)
    row_pattern = re.compile(r"^\| \[(ISL\d{3})\]\(([^)]*?)ISL\d{3}\.md\)")
    rows = [(i, found) for i, line in enumerate(lines) if (found := row_pattern.match(line))]
    if not rows:
        return readme
    link = rows[0][1].group(2)
    row = f"| [{rule_id}]({link}{rule_id}.md) | {name} | warning | TODO |\n"
    after = [i for i, found in rows if found.group(1) < rule_id]
    at = (after[-1] + 1) if after else rows[0][0]
    return "".join(lines[:at] + [row] + lines[at:])


def add_rule(root: Path, rule_id: str, name: str) -> list[Path]:
    if not ID.match(rule_id):
        raise ValueError(f"{rule_id!r} is not a rule id (ISL followed by three digits)")
    if not NAME.match(name):
        raise ValueError(f"{name!r} is not a rule name (lower-case words joined by hyphens)")
    rules_dir = root / "iam_saas_lint" / "rules"
    if list(rules_dir.glob(f"isl{rule_id[3:]}_*.py")):
        raise RuleExists(f"{rule_id} already has a module in {rules_dir}")
    module = module_name(rule_id, name)
    source = rules_dir / f"{module}.py"
    cases = root / "tests" / "cases" / f"{rule_id}.yaml"
    registry = rules_dir / "__init__.py"
    readme = root / "README.md"
    source.write_text(MODULE.format(id=rule_id, name=name))
    cases.write_text(CASES.format(id=rule_id, name=name))
    registry.write_text(register(registry.read_text(), module))
    if readme.is_file():
        readme.write_text(readme_row(readme.read_text(), rule_id, name))
    docs = root / "docs" / "rules"
    subprocess.run([sys.executable, "-m", "iam_saas_lint.docgen", str(docs)], cwd=root, check=True)
    return [source, cases, registry, readme, docs / f"{rule_id}.md", docs / "README.md"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Add a rule: its module, case file, registry entry and docs.")
    parser.add_argument("id", help="ISLnnn")
    parser.add_argument("name", help="lower-case-words")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    try:
        written = add_rule(args.root, args.id.upper(), args.name)
    except ValueError as error:
        print(f"new_rule: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(args.root)}")
    print("next: describe the rule in its docstring, write its check and cases, and run pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
