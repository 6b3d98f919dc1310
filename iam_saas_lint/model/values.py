"""Plain values shared by every layer: JSON paths, spans, anchors and unknowns."""

from __future__ import annotations

from typing import ClassVar, Protocol

from ..records import dataclass

JsonKey = str | int
JsonPath = tuple[JsonKey, ...]

#: Stands for "the account that owns this template or module" inside resolved strings,
#: so that readers can compose it (``Fn::Join``, interpolation) like any other text.
OWN_ACCOUNT = "<own-account>"


def is_account_id(text: str) -> bool:
    """Twelve ASCII digits (``isdigit`` alone also takes ``\u0661`` and ``\u00b2``, which IAM refuses)."""
    return len(text) == 12 and text.isascii() and text.isdigit()


class SensitiveText(str):
    """A text the configuration marks sensitive (a Terraform ``sensitive`` variable): judged like any
    text, never shown (its ``repr`` and formatting say so instead)."""

    __slots__ = ()
    #: Whether one was ever made in this process (unpickled ones included): until then no value can
    #: hold one, and keys built from content need not look for them (``memo.sensitive_marks``).
    made: ClassVar[bool] = False

    def __new__(cls, text: object = "") -> SensitiveText:
        SensitiveText.made = True
        return super().__new__(cls, text)

    def __str__(self) -> str:
        return self  # stays marked through str()

    def __repr__(self) -> str:
        return "(a sensitive value)"

    def __format__(self, spec: str) -> str:
        return "(a sensitive value)"


@dataclass(frozen=True)
class Unknown:
    """A value a reader could not resolve. Rules must never treat it as a pass."""

    description: str

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True)
class Span:
    """A 1-based region of a file."""

    line: int
    column: int
    end_line: int
    end_column: int
    #: Set when the region lies in another file than the anchor's (a Terraform role whose policy
    #: document is written in another file of the module).
    file: str | None = None


class Locator(Protocol):
    """Maps a JSON path inside a file to the region of text it came from."""

    def locate(self, path: JsonPath) -> Span | None: ...


@dataclass(frozen=True)
class NoLocator:
    """For documents that have no text behind them (the Python API)."""

    def locate(self, path: JsonPath) -> Span | None:
        return None


@dataclass(frozen=True)
class At:
    """For a place known only by its region (a file that could not be read, a suppression)."""

    span: Span

    def locate(self, path: JsonPath) -> Span | None:
        return self.span


@dataclass(frozen=True)
class Anchor:
    """A place in a file that a finding can point at."""

    file: str
    path: JsonPath
    locator: Locator

    def child(self, *keys: JsonKey) -> Anchor:
        return Anchor(self.file, self.path + keys, self.locator)

    def source_path(self) -> JsonPath:
        """The path as written in the file: readers that resolve values (``Fn::If`` ...) map it back."""
        mapper = getattr(self.locator, "source_path", None)
        path = self.path
        while mapper is not None:
            found = mapper(path)
            if found is not None:
                return tuple(found) + self.path[len(path) :]
            if not path:
                break
            path = path[:-1]
        return self.path

    def span(self) -> Span:
        """The region of the deepest part of the path that the locator knows."""
        path = self.path
        while True:
            found = self.locator.locate(path)
            if found is not None:
                return found
            if not path:
                return Span(1, 1, 1, 1)
            path = path[:-1]


def format_json_path(path: JsonPath) -> str:
    parts = ["$"]
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif key.replace("_", "").replace("-", "").isalnum():
            parts.append(f".{key}")
        else:
            escaped = key.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'["{escaped}"]')
    return "".join(parts)
