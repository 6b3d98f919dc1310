"""Records: the package's ``dataclass``, ``field``, ``replace``, ``fields`` and ``asdict``, without
importing :mod:`dataclasses`.

Importing ``dataclasses`` costs a one-file run about 15 ms (it imports ``inspect``, ``ast``,
``tokenize``…), and processing a class with it compiles four or five methods (0.3 ms a class).
A record gets the same behaviour from shared functions that read its fields in C
(``attrgetter``): ``__eq__`` compares the fields of two instances of the same class, frozen
records hash their compared fields and refuse assignment (``FrozenInstanceError``), mutable
ones are unhashable, ``__repr__`` is ``Name(field=value, …)``. Only ``__init__`` is compiled, as
``dataclasses`` writes it, and only when the class is first instantiated. Methods written in the
class body are kept. Instances pickle as plain objects (their ``__dict__``), so they travel to and
from worker processes. Type checkers see the decorator through ``dataclass_transform`` (PEP 681).
Supported options: ``frozen`` (``eq`` is always on, as in the package's every record).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda function: function


_T = TypeVar("_T")
_FIELDS = "__record_fields__"
_FROZEN = "__record_frozen__"


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class Field:
    """One field of a record, as ``field(...)`` declares it."""

    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr")

    def __init__(
        self, default: Any, default_factory: Any, init: bool, repr: bool, hash: bool | None, compare: bool
    ) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r})"


@overload
def field(
    *, default: _T, init: bool = True, repr: bool = True, hash: bool | None = None, compare: bool = True
) -> _T: ...
@overload
def field(
    *,
    default_factory: Callable[[], _T],
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
) -> _T: ...
@overload
def field(*, init: bool = True, repr: bool = True, hash: bool | None = None, compare: bool = True) -> Any: ...
def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
) -> Any:
    """A field's default, factory and whether it is in ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, init, repr, hash, compare)


@overload
def dataclass(cls: type[_T], /) -> type[_T]: ...
@overload
def dataclass(*, frozen: bool = False) -> Callable[[type[_T]], type[_T]]: ...
@dataclass_transform(field_specifiers=(field, Field))
def dataclass(cls: type[_T] | None = None, /, *, frozen: bool = False) -> Any:
    """Make ``cls`` a record: fields from its annotations (after its record bases'), the methods above."""

    def wrap(cls: type[_T]) -> type[_T]:
        _make_record(cls, frozen)
        return cls

    return wrap if cls is None else wrap(cls)


def fields(record: object) -> tuple[Field, ...]:
    """The fields of a record class or instance, in ``__init__`` order."""
    found: dict[str, Field] | None = getattr(record, _FIELDS, None)
    if found is None:
        raise TypeError("fields() should be called on a record class or instance")
    return tuple(found.values())


def replace(record: _T, /, **changes: Any) -> _T:
    """A copy of ``record`` with ``changes``, made through its ``__init__`` (so ``__post_init__`` runs)."""
    found: dict[str, Field] | None = getattr(type(record), _FIELDS, None)
    if found is None:
        raise TypeError("replace() should be called on record instances")
    for f in found.values():
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is declared with init=False, it cannot be specified with replace()")
        elif f.name not in changes:
            changes[f.name] = getattr(record, f.name)
    return type(record)(**changes)


def asdict(record: object) -> dict[str, Any]:
    """The record's fields as a dict, records, lists, tuples and dicts in them converted recursively
    (other values deep-copied), as ``dataclasses.asdict``."""
    if getattr(type(record), _FIELDS, None) is None:
        raise TypeError("asdict() should be called on record instances")
    result: dict[str, Any] = _asdict_inner(record)
    return result


def _asdict_inner(value: Any) -> Any:
    found: dict[str, Field] | None = getattr(type(value), _FIELDS, None)
    if found is not None:
        return {name: _asdict_inner(getattr(value, name)) for name in found}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*[_asdict_inner(item) for item in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_asdict_inner(item) for item in value)
    if isinstance(value, dict):
        return type(value)((_asdict_inner(k), _asdict_inner(v)) for k, v in value.items())
    import copy

    return copy.deepcopy(value)


def _make_record(cls: type, frozen: bool) -> None:
    own = cls.__dict__
    all_fields: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:
        base_fields = base.__dict__.get(_FIELDS)
        if base_fields is not None:
            if base.__dict__[_FROZEN] != frozen:
                made = "frozen" if frozen else "non-frozen"
                raise TypeError(f"cannot inherit {made} record {cls.__name__} from one that is not")
            all_fields.update(base_fields)
    for name, annotation in own.get("__annotations__", {}).items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        default = own.get(name, MISSING)
        if isinstance(default, Field):
            declared = default
            if declared.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, declared.default)
        else:
            declared = Field(default, MISSING, True, True, None, True)
        if type(declared.default).__hash__ is None:
            raise ValueError(
                f"mutable default {type(declared.default)} for field {name} is not allowed: use default_factory"
            )
        declared.name = name
        all_fields[name] = declared
    _check_defaults_order(cls, all_fields)
    setattr(cls, _FIELDS, all_fields)
    setattr(cls, _FROZEN, frozen)
    methods: dict[str, Any] = {
        "__init__": _first_init(cls),
        "__repr__": _repr(tuple(f.name for f in all_fields.values() if f.repr)),
        "__eq__": _eq(_getter([f.name for f in all_fields.values() if f.compare])),
        "__match_args__": tuple(f.name for f in all_fields.values() if f.init),
    }
    class_hash = own.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in own))
    if frozen:
        methods.update(_frozen(cls, frozenset(all_fields)))
    for name, method in methods.items():
        if name in own:
            continue  # written in the class body: kept, as dataclasses keeps it
        if callable(method):
            method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    if not explicit_hash:
        if frozen:
            hashed = [f.name for f in all_fields.values() if (f.compare if f.hash is None else f.hash)]
            hash_method: Any = _hash(_getter(hashed))
            cls.__hash__ = hash_method  # type: ignore[method-assign]
        else:
            cls.__hash__ = None  # type: ignore[assignment]  # mutable and compared: unhashable


def _check_defaults_order(cls: type, all_fields: dict[str, Field]) -> None:
    seen_default = False
    for f in all_fields.values():
        if not f.init:
            continue
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument in {cls.__name__}")


#: Instances a class makes through the shared ``__init__`` before its own is compiled: compiling
#: costs about what a hundred generic calls do, and most classes make a few instances a run.
COMPILE_AFTER = 64


def _first_init(cls: type) -> Callable[..., None]:
    """The shared ``__init__`` (same arguments, defaults, errors and ``__post_init__`` as the
    compiled one); after ``COMPILE_AFTER`` instances it compiles the class's own and installs it."""
    made = 0
    generic: Callable[[Any, tuple[Any, ...], dict[str, Any]], None] | None = None

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal made, generic
        made += 1
        if made > COMPILE_AFTER:
            compiled = _compile_init(cls)
            compiled.__qualname__ = f"{cls.__qualname__}.__init__"
            cls.__init__ = compiled  # type: ignore[misc]
            compiled(self, *args, **kwargs)
            return
        if generic is None:
            generic = _generic_init(cls)
        generic(self, args, kwargs)

    return __init__


def _generic_init(cls: type) -> Callable[[Any, tuple[Any, ...], dict[str, Any]], None]:
    declared: list[Field] = list(getattr(cls, _FIELDS).values())
    names = tuple(f.name for f in declared if f.init)
    accepted = frozenset(names)
    defaults = {
        f.name: f for f in declared if f.init and (f.default is not MISSING or f.default_factory is not MISSING)
    }
    not_init = [f for f in declared if not f.init and (f.default is not MISSING or f.default_factory is not MISSING)]
    order = [f.name for f in declared if f.init or f.name in {g.name for g in not_init}]
    assign: Callable[[Any, str, Any], None] = object.__setattr__ if getattr(cls, _FROZEN) else setattr
    post_init = hasattr(cls, "__post_init__")
    function = f"{cls.__qualname__}.__init__()"

    def initialise(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if len(args) > len(names):
            raise TypeError(f"{function} takes {len(names) + 1} positional arguments but {len(args) + 1} were given")
        values = dict(zip(names, args, strict=False))  # fewer arguments than names
        for name, value in kwargs.items():
            if name not in accepted:
                raise TypeError(f"{function} got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{function} got multiple values for argument {name!r}")
            values[name] = value
        if len(values) < len(names):
            missing = [name for name in names if name not in values and name not in defaults]
            if missing:
                listed = ", ".join(map(repr, missing[:-1])) + (" and " if len(missing) > 1 else "") + repr(missing[-1])
                plural = "s" if len(missing) > 1 else ""
                raise TypeError(f"{function} missing {len(missing)} required positional argument{plural}: {listed}")
            for name, f in defaults.items():
                if name not in values:
                    values[name] = f.default if f.default_factory is MISSING else f.default_factory()
        for f in not_init:
            values[f.name] = f.default if f.default_factory is MISSING else f.default_factory()
        for name in order:
            assign(self, name, values[name])
        if post_init:
            self.__post_init__()

    return initialise


def _compile_init(cls: type) -> Callable[..., None]:
    """The ``__init__`` ``dataclasses`` would write for ``cls``."""
    frozen: bool = getattr(cls, _FROZEN)
    scope: dict[str, Any] = {"_MISSING": MISSING, "_setattr": object.__setattr__}
    arguments, body = ["self"], []
    #: A frozen instance's fields go straight into its ``__dict__`` (what ``object.__setattr__`` would
    #: do, at half the cost: spans and findings are made by the hundred thousand).
    direct = frozen and cls.__dictoffset__ != 0 and "__slots__" not in cls.__dict__
    if direct:
        body.append("_fields = self.__dict__")
    for f in getattr(cls, _FIELDS).values():
        scope[f"_default_{f.name}"] = f.default
        scope[f"_factory_{f.name}"] = f.default_factory
        if f.default_factory is not MISSING:
            value = f"_factory_{f.name}() if {f.name} is _MISSING else {f.name}" if f.init else f"_factory_{f.name}()"
            default = "=_MISSING"
        else:
            value = f.name if f.init else f"_default_{f.name}"
            default = "" if f.default is MISSING else f"=_default_{f.name}"
        if f.init:
            arguments.append(f.name + default)
        elif f.default is MISSING and f.default_factory is MISSING:
            continue
        if direct:
            body.append(f"_fields[{f.name!r}] = {value}")
        else:
            body.append(f"_setattr(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = "\n    ".join([f"def __init__({', '.join(arguments)}):", *(body or ["pass"])])
    made: dict[str, Any] = {}
    exec(source, scope, made)  # the class's own field names as parameters, as dataclasses does
    function: Callable[..., None] = made["__init__"]
    return function


def _getter(names: list[str]) -> Callable[[object], tuple[object, ...]]:
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda instance: (one(instance),)
    return lambda instance: ()


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(values: Callable[[object], tuple[object, ...]]) -> Callable[[Any, object], bool]:
    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[object], tuple[object, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen(cls: type, names: frozenset[str]) -> dict[str, Any]:
    owner: type[Any] = cls

    def __setattr__(self: Any, name: str, value: object) -> None:
        if type(self) is owner or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(owner, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is owner or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(owner, self).__delattr__(name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}


if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    from collections import namedtuple

    # what typing.NamedTuple lets a class body set, and what it refuses
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})
    _PROHIBITED = frozenset(
        {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace"}
        | {"_asdict", "_source"}
    )

    class _NamedTupleMeta(type):
        def __new__(cls, typename: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
            annotations = namespace.get("__annotations__", {})
            fields = list(annotations)
            defaults = [namespace[name] for name in fields if name in namespace]
            if any(name not in namespace for name in fields[len(fields) - len(defaults) :]):
                raise TypeError(f"{typename}: a field without a default follows one with a default")
            made = namedtuple(typename, fields, defaults=defaults, module=namespace["__module__"])
            made.__annotations__ = made.__new__.__annotations__ = dict(annotations)
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
                if key not in _SPECIAL and key not in fields:
                    setattr(made, key, value)
            return made

    #: ``typing.NamedTuple`` for class syntax, without its check of each field's annotation: with
    #: ``from __future__ import annotations`` every annotation is a string, which the check compiles
    #: (a ``ForwardRef`` each), about 20 ms of CPU for the Terraform reader's expression classes. The
    #: classes made are the same ``collections.namedtuple`` classes, their annotations kept as written.
    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})
