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
            dataclasses.dataclass(klass, **options)


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
