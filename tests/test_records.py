"""``records``: classes declared like dataclasses behave as ``dataclasses.dataclass`` makes them
(fields, defaults, factories, equality, hashing, frozen assignment, ``replace``, ``asdict``,
pickling across processes), without the package importing ``dataclasses``."""

from __future__ import annotations

import pickle
import subprocess
import sys
import typing

import pytest

from iam_saas_lint import records
from iam_saas_lint.records import FrozenInstanceError, NamedTuple, asdict, dataclass, field, fields, replace


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0


@dataclass
class Bag:
    name: str
    items: list[int] = field(default_factory=list)
    note: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Labelled(Point):
    label: str = ""


@dataclass(frozen=True)
class Derived:
    source: str
    length: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "length", len(self.source))


@dataclass(frozen=True)
class Hashed:
    key: str
    cache: dict[str, int] = field(default_factory=dict, compare=False, hash=False)


def test_frozen_records_compare_hash_and_refuse_assignment() -> None:
    first = Point(1)
    assert first == Point(1, 0) and first != Point(1, 2) and hash(first) == hash(Point(1))
    assert {first, Point(1), Point(2)} == {Point(1), Point(2)} and {first: "a"}[Point(1)] == "a"
    assert repr(first) == "Point(x=1, y=0)" and Point.__match_args__ == ("x", "y")
    with pytest.raises(FrozenInstanceError):
        first.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del first.x  # type: ignore[misc]
    assert isinstance(FrozenInstanceError("x"), AttributeError)


def test_mutable_records_are_unhashable_and_fields_can_be_left_out_of_eq_and_repr() -> None:
    bag = Bag("a")
    assert bag.items == [] and bag.items is not Bag("a").items
    assert Bag("a", [1], note="x") == Bag("a", [1], note="y") and repr(bag) == "Bag(name='a', items=[])"
    with pytest.raises(TypeError):
        hash(bag)
    bag.items = [2]
    assert bag.items == [2]
    assert Hashed("k", {"a": 1}) == Hashed("k") and hash(Hashed("k", {"a": 1})) == hash(Hashed("k"))


def test_inheritance_keeps_base_fields_first_and_compares_classes_exactly() -> None:
    labelled = Labelled(1, label="p")
    assert (labelled.x, labelled.y, labelled.label) == (1, 0, "p")
    assert [f.name for f in fields(Labelled)] == ["x", "y", "label"] and fields(labelled) == fields(Labelled)
    assert Point(1) != Labelled(1) and repr(labelled) == "Labelled(x=1, y=0, label='p')"


def test_replace_validates_and_runs_post_init() -> None:
    labelled = Labelled(1, label="p")
    assert replace(labelled, y=2) == Labelled(1, 2, "p") and labelled.y == 0
    assert replace(Derived("abc"), source="abcdef").length == 6
    with pytest.raises(ValueError, match="init=False"):
        replace(Derived("abc"), length=1)
    with pytest.raises(TypeError):
        replace(labelled, z=1)
    with pytest.raises(TypeError):
        replace(object(), z=1)


def test_asdict_converts_nested_records_and_containers() -> None:
    @dataclass(frozen=True)
    class Outer:
        inner: tuple[Point, ...]
        by_name: dict[str, Point]

    outer = Outer((Point(1),), {"a": Point(2, 3)})
    assert asdict(outer) == {"inner": ({"x": 1, "y": 0},), "by_name": {"a": {"x": 2, "y": 3}}}
    assert asdict(Labelled(1, label="p")) == {"x": 1, "y": 0, "label": "p"}


def test_declaration_errors_are_reported_as_dataclasses_reports_them() -> None:
    with pytest.raises(TypeError, match="non-default argument"):

        @dataclass
        class Unordered:
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(ValueError, match="mutable default"):

        @dataclass
        class Shared:
            items: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="frozen"):

        @dataclass
        class Thawed(Point):  # type: ignore[misc]
            z: int = 0


def test_methods_written_in_the_class_body_are_kept() -> None:
    @dataclass(frozen=True)
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

        def __hash__(self) -> int:
            return 7

    assert repr(Named("a")) == "<a>" and hash(Named("a")) == 7 and Named("a") == Named("a")


def test_a_plain_subclass_of_a_record_uses_its_fields() -> None:
    class Special(Point):
        pass

    special = Special(1, 2)
    assert (special.x, special.y) == (1, 2) and special == Special(1, 2) and special != Point(1, 2)
    special.extra = 1  # type: ignore[attr-defined]  # only the record's fields are frozen, as with dataclasses
    with pytest.raises(FrozenInstanceError):
        special.x = 3  # type: ignore[misc]


def test_records_pickle_to_another_process_and_back() -> None:
    """A worker's findings arrive pickled in a parent that may never have created one."""
    code = (
        "import pickle, sys; from iam_saas_lint.records import replace; "
        "f = pickle.loads(sys.stdin.buffer.read()); g = pickle.loads(pickle.dumps(f)); "
        "print(f == g, len({f, g}), repr(f).startswith('Finding(rule='), replace(f) == f)"
    )
    from iam_saas_lint.findings import Finding, Severity

    finding = Finding("ISL001", "missing-external-id", Severity.ERROR, "a.json", 1, 2, 1, 3)
    assert pickle.loads(pickle.dumps(Derived("ab"))) == Derived("ab")
    done = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(finding), capture_output=True, check=True, timeout=60
    )
    assert done.stdout.decode().split() == ["True", "1", "True", "True"]


def test_a_run_does_not_import_dataclasses() -> None:
    code = (
        "import sys, runpy; sys.argv = ['iam-saas-lint', '--no-cache', '--jobs', '1', "
        "'fixtures/raw/datadog-protected/trust.json']\n"
        "try:\n    runpy.run_module('iam_saas_lint', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('dataclasses' in sys.modules, 'inspect' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "False False"


def test_a_subclass_of_a_record_takes_its_fields() -> None:
    # Found on the corpus: Terraform's Invalid(Unknown) once got an __init__ without fields
    # (an internal error on every module with an undeclared var).
    code = (
        "from iam_saas_lint.sources.terraform.values import Invalid\n"
        "from iam_saas_lint.model.values import Unknown\n"
        "assert str(Invalid('var.x is not declared')) == 'var.x is not declared'\n"
        "assert isinstance(Invalid('y'), Unknown) and Invalid('y') == Invalid('y')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("made_before", [0, records.COMPILE_AFTER + 1])
def test_the_shared_and_the_compiled_init_take_the_same_arguments(made_before: int) -> None:
    """A class makes its first instances through the shared ``__init__``, then compiles its own."""

    @dataclass(frozen=True)
    class Shape:
        kind: str
        sides: int = 0
        tags: list[str] = field(default_factory=list)
        area: int = field(init=False, default=-1)
        label: str = field(init=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "label", f"{self.kind}/{self.sides}")

    for _ in range(made_before):
        Shape("x")
    square = Shape("square", sides=4, tags=["a"])
    assert (square.kind, square.sides, square.tags, square.area, square.label) == ("square", 4, ["a"], -1, "square/4")
    assert list(vars(square)) == ["kind", "sides", "tags", "area", "label"]
    assert Shape("dot").tags == [] and Shape("dot").tags is not Shape("dot").tags
    cases: list[tuple[tuple[object, ...], dict[str, object], str]] = [
        ((), {}, "missing 1 required positional argument: 'kind'"),
        (("a", 1, [], 2), {}, "positional arguments but 5 were given"),
        (("a",), {"kind": "b"}, "multiple values for argument 'kind'"),
        (("a",), {"area": 1}, "unexpected keyword argument 'area'"),
    ]
    for args, kwargs, message in cases:
        with pytest.raises(TypeError, match=message):
            Shape(*args, **kwargs)


class _Point(NamedTuple):
    """A point of a grid."""

    x: int
    y: int = 0
    label: str | None = None

    def moved(self, by: int) -> _Point:
        return self._replace(x=self.x + by)


class _TypingPoint(typing.NamedTuple):
    """A point of a grid."""

    x: int
    y: int = 0
    label: str | None = None

    def moved(self, by: int) -> _TypingPoint:
        return self._replace(x=self.x + by)


def test_named_tuples_are_typings_without_compiling_their_annotations() -> None:
    ours, theirs = _Point(3, label="a"), _TypingPoint(3, label="a")
    assert (ours, ours.moved(2), ours._asdict()) == (theirs, theirs.moved(2), theirs._asdict())
    assert repr(ours) == "_Point(x=3, y=0, label='a')" and repr(theirs) == "_TypingPoint(x=3, y=0, label='a')"
    assert _Point._fields == _TypingPoint._fields and _Point._field_defaults == _TypingPoint._field_defaults
    assert _Point.__doc__ == _TypingPoint.__doc__ == "A point of a grid."
    assert _Point.__bases__ == _TypingPoint.__bases__ == (tuple,)
    assert (_Point.__module__, _Point.__qualname__) == (__name__, "_Point")
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert _Point.__annotations__ == {"x": "int", "y": "int", "label": "str | None"}  # as written, not compiled
    with pytest.raises(TypeError, match="a field without a default follows one with a default"):
        type(NamedTuple)(
            "Bad", (NamedTuple,), {"__module__": __name__, "__annotations__": {"a": "x", "b": "x"}, "a": 1}
        )
    with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):
        type(NamedTuple)("Bad", (NamedTuple,), {"__module__": __name__, "__annotations__": {}, "_replace": None})
