"""Trust policies that differ only in the third-party accounts they name, judged once and renamed.

A third-party account that a policy names only in its principals is, to the trust analyses, a name:
it is compared for equality (with the callers' accounts and ARNs, which no condition reads when none
names ``aws:PrincipalAccount`` or ``aws:PrincipalArn`` and no policy variable is used), sorted (the
callers' order) and written in descriptions. Two such policies whose accounts sort alike are judged
alike, with one's accounts for the other's: a verdict is made once and renamed. Accounts that are
more than names stay in the key: yours, a known vendor's (described by name), and the highest ones
(the unrelated caller is the highest account a policy does not name).

A policy's *shape* is its JSON text with each renamed account replaced by its rank among the
accounts it names. Whether every renamed account is named only in principals is a question about
the shape (the accounts stand at the same places in every policy of one shape), so a verdict kept
by shape was made for a policy that passed it, and a policy of a kept shape need not be asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..patterns import lazy_compile
from .memo import Memo, content_key, on_forget
from .settings import Settings
from .statements import ConditionEntry, Principal, Statement, statements_of
from .vendors import registry

#: Maximal runs of twelve or more digits: those of exactly twelve are the accounts a text names.
_RUNS = lazy_compile(r"([0-9]{12,})")
_HIGHEST_RENAMED = "999999998999"
_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:principalarn"})
_MOST_ACCOUNTS = 64

Value = TypeVar("Value")

#: A policy's shape and its renamed accounts in rank order, by document (forgotten with the inventory).
_BY_DOCUMENT: dict[int, tuple[object, Settings, tuple[str, tuple[str, ...]] | None]] = {}
on_forget(_BY_DOCUMENT.clear)


def shape_of(data: object, settings: Settings) -> tuple[str, tuple[str, ...]] | None:
    """The policy's shape and its renamed accounts, or ``None`` when it names none or names them in
    escaped or sensitive text. Whether the accounts are only names is not asked here (``names_only``)."""
    found = _BY_DOCUMENT.get(id(data))
    if found is not None and found[0] is data and (found[1] is settings or found[1] == settings):
        return found[2]
    shape = _shape_of(data, settings)
    _BY_DOCUMENT[id(data)] = (data, settings, shape)  # the entry keeps ``data`` alive: its id is not reused
    return shape


def _shape_of(data: object, settings: Settings) -> tuple[str, tuple[str, ...]] | None:
    # No escaped character (``\\u0001`` could run into digits), no sensitive text, no policy variable.
    text = content_key(data)
    if text is None or "\0" in text or "\\u" in text or "${" in text:
        return None
    pieces = _RUNS.split(text)  # text, run, text, run, ..., text
    if len(pieces) == 1:
        return None
    runs = pieces[1::2]
    accounts = sorted({run for run in runs if len(run) == 12})
    if not accounts or len(accounts) > _MOST_ACCOUNTS:
        return None
    own = settings.own_accounts
    vendors = registry(settings.vendors)
    renamed = [a for a in accounts if a <= _HIGHEST_RENAMED and a not in own and not vendors.by_account(a)]
    if not renamed:
        return None
    named = set(renamed)
    ranks = {a: f"\0{rank}\0" for rank, a in enumerate(accounts) if a in named}
    pieces[1::2] = [ranks.get(run, run) for run in runs]
    return "".join(pieces), tuple(renamed)


def names_only(data: object, renamed: tuple[str, ...]) -> bool:
    """Whether the policy names its renamed accounts only in its principals, and no condition reads
    the caller's account."""
    named = set(renamed)
    in_principals = 0
    for statement in statements_of(data):
        if any(entry.key_lower in _ACCOUNT_KEYS for entry in statement.conditions):
            return False
        for principal in statement.principals:
            if isinstance(principal.value, str):
                in_principals += sum(run in named for run in _RUNS.findall(principal.value))
    text = content_key(data)
    return text is not None and in_principals == sum(run in named for run in _RUNS.findall(text))


def shape(data: object, settings: Settings) -> tuple[str, tuple[str, ...]] | None:
    """The policy's shape and its renamed accounts, or ``None`` when an account is more than a name."""
    found = shape_of(data, settings)
    return found if found is not None and names_only(data, found[1]) else None


class Renaming:
    """What a value made for one policy of a shape is in another: its accounts, its statements."""

    def __init__(self, kept: Kept[Any], renamed: tuple[str, ...], data: object) -> None:
        self._made_for = kept[1]
        self._templates = kept[2]
        self._renamed = renamed
        self._data = data
        self._statements: dict[object, Statement] | None = None
        self._parts: dict[object, ConditionEntry | Principal] | None = None

    def text(self, written: str) -> str:
        """``written`` (a text of the kept value) with the policy's accounts for the kept ones."""
        template = self._templates.get(written)
        if template is None:
            template = self._templates[written] = _template(written, self._made_for)
        return written if template is _NO_ACCOUNT else template.format(*self._renamed)

    def account(self, account: str) -> str:
        made_for = self._made_for
        return self._renamed[made_for.index(account)] if account in made_for else account

    def statement(self, found: Statement) -> Statement:
        """The policy's own statement at the same place (``KeyError``: not the same shape after all)."""
        if self._statements is None:
            self._statements = {mine.path: mine for mine in statements_of(self._data)}
        return self._statements[found.path]

    def entry(self, found: ConditionEntry) -> ConditionEntry:
        """The policy's own condition entry at the same place (``KeyError``: not the same shape after all)."""
        mine = self._part(found.path)
        if not isinstance(mine, ConditionEntry):
            raise KeyError(found.path)
        return mine

    def principal(self, found: Principal) -> Principal:
        """The policy's own principal at the same place (``KeyError``: not the same shape after all)."""
        mine = self._part(found.path)
        if not isinstance(mine, Principal):
            raise KeyError(found.path)
        return mine

    def _part(self, path: object) -> ConditionEntry | Principal:
        if self._parts is None:
            self._parts = {}
            for statement in statements_of(self._data):
                for principal in statement.principals:
                    self._parts.setdefault(principal.path, principal)
                for entry in statement.conditions:
                    self._parts.setdefault(entry.path, entry)
        return self._parts[path]


_NO_ACCOUNT = "\0"


def _template(written: str, made_for: tuple[str, ...]) -> str:
    """``written`` as a ``str.format`` template whose fields are the ranks of the accounts it names
    (``_NO_ACCOUNT`` when it names none)."""
    pieces = _RUNS.split(written)
    ranks = {account: f"{{{rank}}}" for rank, account in enumerate(made_for)}
    fields = [ranks.get(run) for run in pieces[1::2]]
    if not any(fields):
        return _NO_ACCOUNT
    escaped = [piece.replace("{", "{{").replace("}", "}}") for piece in pieces]
    escaped[1::2] = [field or run for field, run in zip(fields, pieces[1::2], strict=True)]
    return "".join(escaped)


#: A value made for one policy of a shape, the accounts it was made for (in rank order) and its texts
#: as ``str.format`` templates of them (made as the texts are first renamed).
Kept = tuple[Value, tuple[str, ...], dict[str, str]]


def _always(_: object) -> bool:
    return True


class ByShape(Generic[Value]):
    """Values by shape and settings, each renamed for the other policies of its shape (at most
    ``MEMO_SIZE`` shapes are kept)."""

    def __init__(self, rename: Callable[[Value, Renaming], Value]) -> None:
        self._rename = rename
        self._kept: Memo[Kept[Value]] = Memo()

    def get(
        self, data: object, settings: Settings, make: Callable[[], Value], keep: Callable[[Value], bool] = _always
    ) -> Value:
        """The value for ``data``: renamed when one was made for its shape, else ``make()``, kept by
        shape when the policy names its accounts only as names and ``keep`` says the value may be."""
        shape = shape_of(data, settings)
        if shape is None:
            return make()
        key = (shape[0], settings)
        kept = self._kept.get(key)
        if kept is not None:  # made for a policy of this shape, which names its accounts only as names
            try:
                return self._rename(kept[0], Renaming(kept, shape[1], data))
            except KeyError:  # not the same shape after all: made afresh
                pass
        value = make()
        if names_only(data, shape[1]) and keep(value):
            self._kept.put(key, (value, shape[1], {}))
        return value

    def kept(self, shape: str, settings: Settings) -> Kept[Value] | None:
        return self._kept.get((shape, settings))

    def clear(self) -> None:
        self._kept = Memo()
