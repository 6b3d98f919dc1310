"""``records.dataclass``: a class becomes a dataclass on first use, and then behaves exactly as one
declared with ``dataclasses.dataclass`` (also when its first instance arrives pickled)."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
from dataclasses import field

import pytest

from iam_saas_lint.records import dataclass, materialize


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0


@dataclass
class Bag:
    name: str
    items: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Labelled(Point):
    label: str = ""


def test_a_class_is_processed_on_first_use_and_then_is_a_plain_dataclass() -> None:
    @dataclass(frozen=True)
    class Fresh:
        a: int

    assert not dataclasses.is_dataclass(Fresh)
    first = Fresh(1)
    assert dataclasses.is_dataclass(Fresh) and [f.name for f in dataclasses.fields(Fresh)] == ["a"]
    assert first == Fresh(1) and hash(first) == hash(Fresh(1)) and repr(first).endswith(".Fresh(a=1)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.a = 2  # type: ignore[misc]


def test_defaults_factories_inheritance_replace_and_asdict() -> None:
    assert Bag("a").items == [] and Bag("a").items is not Bag("a").items
    labelled = Labelled(1, label="p")
    assert (labelled.x, labelled.y, labelled.label) == (1, 0, "p")
    assert dataclasses.replace(labelled, y=2) == Labelled(1, 2, "p")
    assert dataclasses.asdict(labelled) == {"x": 1, "y": 0, "label": "p"}
    assert Point(1) != Labelled(1)


def test_materialize_makes_a_class_a_dataclass_before_any_instance() -> None:
    @dataclass
    class Unused:
        a: int

    assert [f.name for f in dataclasses.fields(materialize(Unused))] == ["a"]


def test_an_instance_unpickled_first_is_a_full_dataclass() -> None:
    """A worker's findings arrive pickled in a parent that may never have created one."""
    code = (
        "import pickle, sys; from iam_saas_lint.findings import Finding; "
        "f = pickle.loads(sys.stdin.buffer.read()); g = pickle.loads(pickle.dumps(f)); "
        "print(f == g, len({f, g}), repr(f).startswith('Finding(rule='))"
    )
    from iam_saas_lint.findings import Finding, Severity

    finding = Finding("ISL001", "missing-external-id", Severity.ERROR, "m", "a.json", 1, 2, 1, 3)
    done = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(finding), capture_output=True, check=True, timeout=60
    )
    assert done.stdout.decode().split() == ["True", "1", "True"]


def test_importing_the_engine_processes_no_dataclass() -> None:
    code = (
        "import sys, dataclasses, iam_saas_lint.engine, iam_saas_lint.cli; "
        "classes = [v for m in list(sys.modules.values()) if m and m.__name__.startswith('iam_saas_lint') "
        "for v in vars(m).values() if isinstance(v, type) and '__iam_saas_lint_pending__' in vars(v)]; "
        "print(len(classes), sum(dataclasses.is_dataclass(c) for c in classes))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    pending, processed = map(int, done.stdout.split())
    assert pending >= 30 and processed == 0


def test_a_subclass_of_a_pending_record_takes_its_fields() -> None:
    # Found on the corpus: Terraform's Invalid(Unknown), declared while Unknown was still pending,
    # got an __init__ without fields (an internal error on every module with an undeclared var).
    import subprocess
    import sys

    code = (
        "from iam_saas_lint.sources.terraform.values import Invalid\n"
        "from iam_saas_lint.model.values import Unknown\n"
        "assert str(Invalid('var.x is not declared')) == 'var.x is not declared'\n"
        "assert isinstance(Invalid('y'), Unknown) and Invalid('y') == Invalid('y')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
