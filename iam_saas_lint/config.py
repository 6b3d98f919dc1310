"""``[tool.iam-saas-lint]`` in the nearest ``pyproject.toml``, or ``.iam-saas-lint.toml``."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from .model.cidrs import parse_cidr
from .model.settings import Settings, SubjectScope, UnresolvedPrincipals
from .model.values import is_account_id
from .model.vendors import Vendor, registry
from .records import dataclass, field, replace
from .sources.text.files import DEFAULT_MAX_BYTES, repository_root

if TYPE_CHECKING:
    pass


def _toml() -> Any:
    """The TOML parser, imported only when there is a configuration file to read."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli  # type: ignore[import-not-found,unused-ignore]  # pragma: no cover

    return tomli  # pragma: no cover


KNOWN_KEYS = frozenset(
    {
        "own-accounts", "own-organizations", "select", "ignore", "exclude",
        "unresolved-principals", "roles", "max-file-size", "vendors", "per-file-ignores", "ignore-roles",
        "own-identity-providers", "federated-subject-scope",
        "widest-source-ip-range", "terraform-engine",
    }
)  # fmt: skip
ROLE_KEYS = frozenset({"name", "trust", "policies"})
VENDOR_KEYS = frozenset({"accounts", "source-ips"})


class ConfigError(ValueError):
    """A configuration the tool cannot use (exit code 2; a ``ValueError`` for API callers)."""


@dataclass(frozen=True)
class RoleMapping:
    """An explicit role: a trust policy file and the permission policy globs that go with it."""

    name: str
    trust: str
    policies: tuple[str, ...]


@dataclass(frozen=True)
class Config:
    """What a run is told: the ``[tool.iam-saas-lint]`` table, parsed and validated.

    ``Config()`` is the default (every rule on by default, no accounts of your own);
    ``Config.from_file(path)`` reads a ``pyproject.toml`` or ``.iam-saas-lint.toml``;
    ``Config.discover(start)`` finds the nearest one as the command line does;
    ``with_overrides`` adds accounts and replaces ``select``/``ignore``, validated like the file.
    """

    settings: Settings = field(default_factory=Settings)
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    roles: tuple[RoleMapping, ...] = ()
    max_file_size: int = DEFAULT_MAX_BYTES
    #: How a folder of Terraform files is loaded: "auto" (as OpenTofu when it holds .tofu files),
    #: "terraform" or "opentofu".
    terraform_engine: str = "auto"
    #: (glob, rule id prefixes) and (role name or logical id, rule id prefixes).
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ignore_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The directory that relative paths in the configuration are relative to.
    root: str = "."
    source: str | None = None

    def with_overrides(
        self,
        own_accounts: Sequence[str] = (),
        select: Sequence[str] | None = None,
        ignore: Sequence[str] | None = None,
    ) -> Config:
        """A copy with ``own_accounts`` added and ``select``/``ignore`` (rule id prefixes) replaced.
        ``ValueError`` for an account that is not 12 digits or an id prefix that names no rule."""
        from .selection import check_rule_ids

        where = "with_overrides"
        accounts = _string_list(own_accounts, f"{where}: own_accounts")
        for account in accounts:
            if not is_account_id(account):
                raise ConfigError(f"{where}: own_accounts: {account!r} is not a 12-digit account id")
        for key, ids in (("select", select), ("ignore", ignore)):
            if ids is not None:
                check_rule_ids(_string_list(ids, f"{where}: {key}"), f"{where}: {key}")
        settings = replace(self.settings, own_accounts=self.settings.own_accounts | frozenset(accounts))
        return replace(
            self,
            settings=settings,
            select=tuple(select) if select is not None else self.select,
            ignore=tuple(ignore) if ignore is not None else self.ignore,
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Config:
        """Read ``path``: a ``pyproject.toml`` (its ``[tool.iam-saas-lint]`` table) or a
        ``.iam-saas-lint.toml`` (the same keys at the top level). ``ConfigError`` (a ``ValueError``)
        when it cannot be read or holds an unknown key or a bad value."""
        return load_config_file(os.fspath(path))

    @classmethod
    def discover(cls, start: str | os.PathLike[str] = ".") -> Config:
        """The nearest configuration walking up from ``start``, as the command line finds it; the
        default when there is none."""
        return load_config(None, os.fspath(start))


def _string_list(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings, not {type(value).__name__}")
    return tuple(value)


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _accounts(table: Mapping[str, Any], where: str) -> frozenset[str]:
    accounts = _strings(table, "own-accounts", where)
    for account in accounts:
        if not is_account_id(account):
            raise ConfigError(f"{where}: own-accounts: {account!r} is not a 12-digit account id")
    return frozenset(accounts)


def _roles(table: Mapping[str, Any], root: str, where: str) -> tuple[RoleMapping, ...]:
    raw = table.get("roles", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: roles must be an array of tables ([[tool.iam-saas-lint.roles]])")
    roles = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: roles[{index}] must be a table")
        unknown = sorted(set(entry) - ROLE_KEYS)
        if unknown:
            raise ConfigError(f"{where}: roles[{index}]: unknown key {unknown[0]!r} (expected name, trust, policies)")
        if not isinstance(entry.get("name"), str) or not isinstance(entry.get("trust"), str):
            raise ConfigError(f"{where}: roles[{index}] needs a name and a trust path")
        policies = _strings(entry, "policies", f"{where}: roles[{index}]")
        roles.append(
            RoleMapping(
                entry["name"], os.path.join(root, entry["trust"]), tuple(os.path.join(root, p) for p in policies)
            )
        )
    return tuple(roles)


def _vendors(table: Mapping[str, Any], where: str) -> tuple[Vendor, ...]:
    raw = table.get("vendors", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: vendors must be a table of tables ([tool.iam-saas-lint.vendors.NAME])")
    vendors = []
    for key, entry in raw.items():
        here = f"{where}: vendors.{key}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{here} must be a table")
        unknown = sorted(set(entry) - VENDOR_KEYS)
        if unknown:
            raise ConfigError(f"{here}: unknown key {unknown[0]!r} (expected accounts, source-ips)")
        accounts = _strings(entry, "accounts", here)
        for account in accounts:
            if not is_account_id(account):
                raise ConfigError(f"{here}: accounts: {account!r} is not a 12-digit account id")
        source_ips = _strings(entry, "source-ips", here) if "source-ips" in entry else None
        for cidr in source_ips or ():
            problem = parse_cidr(cidr).problem
            if problem:
                raise ConfigError(f"{here}: source-ips: {problem}")
        shipped = registry().find(key)
        name = shipped.name if shipped else key
        known = shipped.accounts if shipped else ()
        if not accounts and not known:
            raise ConfigError(f"{here}: accounts are required for a vendor that is not in the registry")
        merged = tuple(dict.fromkeys((*accounts, *known)))
        sources = shipped.sources if shipped else ()
        vendors.append(Vendor(name, merged, sources, source_ips, configured=True))
    return tuple(vendors)


def _identity_providers(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    hosts = _strings(table, "own-identity-providers", where)
    for host in hosts:
        if not host.strip() or any(c.isspace() for c in host.strip()):
            raise ConfigError(f"{where}: own-identity-providers: {host!r} is not an issuer host")
    return hosts


def _rule_table(table: Mapping[str, Any], key: str, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = table.get(key, {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: {key} must be a table of lists of rule ids")
    return tuple((name, tuple(r.upper() for r in _strings(raw, name, f"{where}: {key}"))) for name in raw)


def _widest_range(table: Mapping[str, Any], where: str) -> tuple[int, int]:
    """``widest-source-ip-range = {ipv4 = 8, ipv6 = 32}``: prefix lengths no allow-list may exceed."""
    raw = table.get("widest-source-ip-range", {})
    if not isinstance(raw, dict) or set(raw) - {"ipv4", "ipv6"}:
        raise ConfigError(f"{where}: widest-source-ip-range must be a table with ipv4 and/or ipv6 prefix lengths")
    found = []
    for key, default, top in (("ipv4", 8, 32), ("ipv6", 32, 128)):
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise ConfigError(f"{where}: widest-source-ip-range.{key} must be a prefix length from 0 to {top}")
        found.append(value)
    return found[0], found[1]


def _check_rule_ids(table: Mapping[str, Any], where: str) -> None:
    from .selection import check_rule_ids

    try:
        for key in ("select", "ignore"):
            check_rule_ids(_strings(table, key, where), f"{where}: {key}")
    except ValueError as error:
        raise ConfigError(str(error)) from error


def config_from_table(table: Mapping[str, Any], root: str = ".", source: str | None = None) -> Config:
    where = source or "configuration"
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(sorted(KNOWN_KEYS))})")
    unresolved = table.get("unresolved-principals", "third-party")
    if unresolved not in ("third-party", "own"):
        raise ConfigError(f'{where}: unresolved-principals must be "third-party" or "own"')
    scope = table.get("federated-subject-scope", "owner")
    if scope not in ("owner", "repository"):
        raise ConfigError(f'{where}: federated-subject-scope must be "owner" or "repository"')
    max_size = table.get("max-file-size", DEFAULT_MAX_BYTES)
    if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size <= 0:
        raise ConfigError(f"{where}: max-file-size must be a positive number of bytes")
    _check_rule_ids(table, where)
    engine = table.get("terraform-engine", "auto")
    if engine not in ("auto", "terraform", "opentofu"):
        raise ConfigError(f'{where}: terraform-engine must be "auto", "terraform" or "opentofu"')
    settings = Settings(
        own_accounts=_accounts(table, where),
        own_organizations=frozenset(_strings(table, "own-organizations", where)),
        unresolved_principals=cast(UnresolvedPrincipals, unresolved),
        vendors=_vendors(table, where),
        own_identity_providers=_identity_providers(table, where),
        federated_subject_scope=cast(SubjectScope, scope),
        widest_source_ip_range=_widest_range(table, where),
    )
    return Config(
        settings=settings,
        select=_strings(table, "select", where) if "select" in table else None,
        ignore=_strings(table, "ignore", where),
        exclude=_strings(table, "exclude", where),
        roles=_roles(table, root, where),
        max_file_size=max_size,
        terraform_engine=engine,
        per_file_ignores=_rule_table(table, "per-file-ignores", where),
        ignore_roles=_rule_table(table, "ignore-roles", where),
        root=root,
        source=source,
    )


#: A configuration file is read only when it is a regular file of at most this many bytes.
MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(path: str) -> dict[str, Any]:
    """The TOML of a regular file; ``ConfigError`` with its line when it is not valid TOML."""
    from .safe_files import read_regular

    try:
        raw = read_regular(path, MAX_CONFIG_BYTES)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error.strerror or error}") from error
    try:
        data: dict[str, Any] = _toml().loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"{path}:{line}: not valid UTF-8 ({error.reason})") from error
    except ValueError as error:  # tomllib.TOMLDecodeError: "Unclosed array (at line 3, column 9)"
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = int(found.group(1)) if found else raw.rstrip().count(b"\n") + 1  # at the end
        reason = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", str(error))
        raise ConfigError(f"{path}:{line}: invalid TOML: {reason}") from error
    except RecursionError as error:
        raise ConfigError(f"{path}:1: nested too deeply to read") from error
    return data


def _our_table(data: dict[str, Any], path: str) -> dict[str, Any] | None:
    """``[tool.iam-saas-lint]`` of a ``pyproject.toml`` (``None`` when it has none)."""
    tool = data.get("tool")
    if tool is None:
        return None
    # the line finder is imported only for an error: its patterns cost more to compile than a run reads
    if not isinstance(tool, dict):
        from .config_lines import key_line

        raise ConfigError(f"{path}:{key_line(path, ('tool',))}: tool must be a table, not {type(tool).__name__}")
    table = tool.get("iam-saas-lint")
    if table is not None and not isinstance(table, dict):
        from .config_lines import key_line

        line = key_line(path, ("tool", "iam-saas-lint"))
        raise ConfigError(f"{path}:{line}: [tool.iam-saas-lint] must be a table, not {type(table).__name__}")
    return table


def load_config_file(path: str) -> Config:
    """The configuration in ``path`` (``Config.from_file``)."""
    data = _read_toml(path)
    root = os.path.dirname(os.path.abspath(path))
    is_pyproject = os.path.basename(path) == "pyproject.toml"
    table = (_our_table(data, path) or {}) if is_pyproject else data
    try:
        return config_from_table(table, root, path)
    except ConfigError as error:
        from .config_lines import with_line

        raise ConfigError(with_line(str(error), path, ("tool", "iam-saas-lint") if is_pyproject else ())) from None


def find_config(start: str) -> str | None:
    """The nearest ``.iam-saas-lint.toml``, or ``pyproject.toml`` with our table, from ``start`` up to
    the repository's root; outside a repository, only in ``start``. A folder above the repository (a
    shared temporary folder, a home directory) is not the repository's to configure."""
    directory = os.path.abspath(start)
    boundary = repository_root(directory) or directory
    while True:
        dedicated = os.path.join(directory, ".iam-saas-lint.toml")
        if os.path.lexists(dedicated):
            return dedicated  # read as it is: a link, a FIFO or a folder is an error, never skipped
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.lexists(pyproject) and _our_table(_read_toml(pyproject), pyproject) is not None:
            return pyproject
        if directory == boundary:
            return None
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_config(path: str | None = None, start: str = ".") -> Config:
    """``path`` when given, else the nearest configuration walking up from ``start``, else the default."""
    if path is not None:
        return load_config_file(path)
    found = find_config(start)
    return load_config_file(found) if found else Config(root=os.path.abspath(start))
