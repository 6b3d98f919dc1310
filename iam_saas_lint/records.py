"""``dataclass``, processed when a class is first used instead of when its module is imported.

Creating a dataclass compiles its ``__init__``, ``__repr__``, ``__eq__`` (and, frozen, ``__hash__``,
``__setattr__``, ``__delattr__``): about 0.6 ms a class, 30 ms of a one-file run's start-up for the
fifty classes of the package, most of which that run never instantiates. Here the class is left
as written, with an ``__init__`` (and a ``__setstate__``, for instances that arrive pickled from a
worker process) that turn it into the real dataclass on first use. Type checkers see
``dataclasses.dataclass`` itself. Classes that define ``__init__``, use ``init=False`` or
``slots=True`` are processed at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

_PENDING = "__iam_saas_lint_pending__"


def _process(cls: type) -> None:
    """Turn the pending classes of ``cls``'s hierarchy into dataclasses, bases first."""
    for klass in reversed(cls.__mro__):
        options = klass.__dict__.get(_PENDING)
        if options is not None:
            delattr(klass, _PENDING)
            del klass.__init__  # type: ignore[misc]
            del klass.__setstate__  # type: ignore[attr-defined]
            if set(options) <= {"frozen"}:
                _compiled_at_once(klass, bool(options.get("frozen")))
            else:
                dataclasses.dataclass(klass, **options)


def _compiled_at_once(klass: type, frozen: bool) -> None:
    """``dataclasses.dataclass(klass, frozen=frozen)`` for a third of the time: ``dataclasses`` still
    reads the fields (so ``fields``, ``replace`` and ``asdict`` work as ever) but writes no method;
    ``__init__`` is compiled here as ``dataclasses`` writes it, and the others are shared functions
    that read the fields in C (``attrgetter``) instead of a compiled copy for each class."""
    own = klass.__dict__
    if own.get("__doc__") is None:
        klass.__doc__ = klass.__name__  # what dataclasses would compute with inspect.signature
    # a class body that defines __eq__ gets __hash__ = None from Python: that is not a hash of its own
    explicit_hash = own.get("__hash__") is not None or ("__hash__" in own and "__eq__" not in own)
    frozen_base = any(
        "__dataclass_fields__" in base.__dict__ and base.__dataclass_params__.frozen  # type: ignore[attr-defined]
        for base in klass.__mro__[1:]
    )
    # below a frozen dataclass, dataclasses insists on writing __setattr__ and __delattr__ itself
    dataclasses.dataclass(klass, init=False, repr=False, eq=False, frozen=frozen and frozen_base)
    params = klass.__dataclass_params__  # type: ignore[attr-defined]
    params.init = params.repr = params.eq = True
    params.frozen = frozen
    fields = dataclasses.fields(klass)
    methods: dict[str, Any] = {
        "__init__": _init(klass, fields, frozen),
        "__repr__": _repr(tuple(f.name for f in fields if f.repr)),
        "__eq__": _eq(_getter([f.name for f in fields if f.compare])),
    }
    if frozen and not explicit_hash:
        methods["__hash__"] = _hash(_getter([f.name for f in fields if (f.compare if f.hash is None else f.hash)]))
    if frozen and not frozen_base:
        methods.update(_frozen(klass, frozenset(f.name for f in fields)))
    for name, method in methods.items():
        if name in own and name not in ("__init__", "__hash__"):
            continue  # written in the class body: kept, as dataclasses keeps it
        method.__qualname__ = f"{klass.__qualname__}.{name}"
        setattr(klass, name, method)
    if not frozen and "__eq__" not in own and "__hash__" not in own:
        klass.__hash__ = None  # type: ignore[assignment]  # eq without frozen: unhashable, as dataclasses makes it


def _init(klass: type, fields: tuple[dataclasses.Field[Any], ...], frozen: bool) -> Any:
    scope: dict[str, Any] = {"_MISSING": dataclasses.MISSING, "_object": object}
    arguments, body = ["self"], []
    for f in fields:
        scope[f"_default_{f.name}"] = f.default
        scope[f"_factory_{f.name}"] = f.default_factory
        if f.default_factory is not dataclasses.MISSING:
            value = f"_factory_{f.name}() if {f.name} is _MISSING else {f.name}" if f.init else f"_factory_{f.name}()"
            default = "=_MISSING"
        else:
            value = f.name if f.init else f"_default_{f.name}"
            default = "" if f.default is dataclasses.MISSING else f"=_default_{f.name}"
        if f.init:
            arguments.append(f.name + default)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            continue
        body.append(f"_object.__setattr__(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if hasattr(klass, "__post_init__"):
        body.append("self.__post_init__()")
    source = "\n    ".join([f"def __init__({', '.join(arguments)}):", *(body or ["pass"])])
    made: dict[str, Any] = {}
    exec(source, scope, made)  # the class's own field names, as dataclasses does
    return made["__init__"]


def _getter(names: list[str]) -> Callable[[object], tuple[object, ...]]:
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda instance: (one(instance),)
    return lambda instance: ()


def _repr(names: tuple[str, ...]) -> Any:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(values: Callable[[object], tuple[object, ...]]) -> Any:
    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[object], tuple[object, ...]]) -> Any:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen(klass: type, names: frozenset[str]) -> dict[str, Any]:
    owner: type[Any] = klass

    def __setattr__(self: Any, name: str, value: object) -> None:
        if type(self) is klass or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(owner, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is klass or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(owner, self).__delattr__(name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}


def _first_init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    _process(cls)
    cls.__init__(self, *args, **kwargs)


def _first_setstate(self: Any, state: Any) -> None:
    _process(type(self))
    setstate = getattr(self, "__setstate__", None)
    if setstate is not None:
        setstate(state)
    elif isinstance(state, tuple):  # (__dict__, slots)
        self.__dict__.update(state[0] or {})
    else:
        self.__dict__.update(state)


def _lazy_dataclass(cls: type | None = None, /, **options: Any) -> Any:
    def wrap(cls: type) -> type:
        own = cls.__dict__
        if options.get("slots") or options.get("init") is False or "__init__" in own or "__setstate__" in own:
            return dataclasses.dataclass(cls, **options)
        setattr(cls, _PENDING, options)
        cls.__init__ = _first_init  # type: ignore[misc]
        cls.__setstate__ = _first_setstate  # type: ignore[attr-defined]
        return cls

    return wrap if cls is None else wrap(cls)


def materialize(cls: type) -> type:
    """The class as a dataclass now (for ``dataclasses.fields`` on a class never instantiated)."""
    _process(cls)
    return cls


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:
    dataclass = _lazy_dataclass
