"""The subcommands beside linting: ``rules``, ``rule ID``, ``vendors [NAME|ACCOUNT]``, ``suggest``.

Each is one ``add_*`` function that declares its arguments and sets ``run``: a new subcommand, or a
new option of one, is added here and nowhere else.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from .command_line import EXIT_CLEAN, EXIT_ERROR, emit

if TYPE_CHECKING:
    from .model.vendors import Vendor, VendorRegistry


def _error(message: str) -> int:
    print(f"iam-saas-lint: {message}", file=sys.stderr)
    return EXIT_ERROR


class Formatter(argparse.HelpFormatter):
    """argparse's help formatter, told the terminal's width: its own asks ``shutil``, whose import
    (with ``bz2`` and ``lzma``) every run would pay, since adding an argument makes a formatter."""

    def __init__(self, prog: str, *args: Any, **kwargs: Any) -> None:
        if not args[2:] and kwargs.get("width") is None:
            kwargs["width"] = _columns() - 2
        super().__init__(prog, *args, **kwargs)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` with ``Formatter``; its subcommands' parsers are of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)


def _columns() -> int:
    """``shutil.get_terminal_size().columns``: ``$COLUMNS``, else the terminal's, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def add_subcommands(commands: argparse._SubParsersAction[Parser], only: str | None = None) -> None:
    """Every subcommand's parser, or only the one named ``only`` (a run parses one command line)."""
    adders = {"rules": _add_rules, "rule": _add_rule, "vendors": _add_vendors, "suggest": _add_suggest}
    for name, add in adders.items():
        if only is None or only == name:
            add(commands)


def _add_rules(commands: argparse._SubParsersAction[Parser]) -> None:
    rules = commands.add_parser("rules", help="list the rules", description="List the rules.")
    rules.set_defaults(run=_rules)


def _rules(args: argparse.Namespace) -> int:
    from .rules import RULES

    lines = []
    for rule in RULES:
        default = "" if rule.enabled_by_default else " (off by default)"
        lines.append(f"{rule.id}  {rule.name:<28} {rule.severity.value:<8} {rule.summary}{default}\n")
    emit("".join(lines))
    return EXIT_CLEAN


def _add_rule(commands: argparse._SubParsersAction[Parser]) -> None:
    rule = commands.add_parser("rule", help="print a rule's documentation", description="Print a rule's documentation.")
    rule.add_argument("id", metavar="ID", help="a rule id, such as ISL001")
    rule.set_defaults(run=_rule)


def _rule(args: argparse.Namespace) -> int:
    from .rules import RULES_BY_ID

    rule = RULES_BY_ID.get(args.id.upper())
    if rule is None:
        return _error(f"no rule {args.id!r} (known: {', '.join(RULES_BY_ID)})")
    emit(f"# {rule.id} {rule.name} ({rule.severity.value})\n\n{rule.doc.strip()}\n")
    return EXIT_CLEAN


def _registry() -> VendorRegistry:
    from .config import load_config
    from .model.vendors import registry

    return registry(load_config(None, ".").settings.vendors)


def _add_vendors(commands: argparse._SubParsersAction[Parser]) -> None:
    vendors = commands.add_parser(
        "vendors",
        help="the known vendor accounts, or one vendor by name or account id",
        description="List the known SaaS vendors (the first column is the name 'suggest --vendor' takes), "
        "or show one, looked up by name or by a 12-digit account id.",
    )
    vendors.add_argument("name", nargs="*", metavar="NAME|ACCOUNT", help="a vendor name or an AWS account id")
    vendors.set_defaults(run=_vendors)


def vendor_key(vendor: Vendor) -> str:
    """The name ``suggest --vendor`` and ``vendors NAME`` take (any spelling with the same letters works)."""
    return "-".join("".join(c if c.isalnum() else " " for c in vendor.name.lower()).split())


def _vendors(args: argparse.Namespace) -> int:
    from .config import ConfigError
    from .model.issuers import find_issuer
    from .suggest_web_identity import describe_issuer, issuer_lines

    try:
        vendors = _registry()
    except ConfigError as error:
        return _error(str(error))
    if not args.name:
        lines = []
        for vendor in vendors.vendors:
            kind = " (AWS service)" if vendor.aws_service else " (configured)" if vendor.configured else ""
            lines.append(f"{vendor_key(vendor):<24} {vendor.name}{kind}: {', '.join(vendor.accounts)}\n")
        lines.append("\nOIDC identity providers (web identity: the claims a trust must pin):\n")
        lines.extend(f"{line}\n" for line in issuer_lines())
        emit("".join(lines))
        return EXIT_CLEAN
    wanted = " ".join(args.name)
    found = _lookup(vendors, wanted)
    issuer = find_issuer(wanted)
    if issuer is not None:
        emit("".join(f"{line}\n" for line in describe_issuer(issuer)) + ("\n" if found else ""))
        if found is None:
            return EXIT_CLEAN
    if found is None:
        return _error(f"no vendor named {wanted!r} or with that account (see 'iam-saas-lint vendors')")
    lines = [
        f"{found.name}\n",
        f"  name for suggest: {vendor_key(found)}\n",
        f"  accounts: {', '.join(found.accounts)}\n",
    ]
    if found.source_ips is not None:
        lines.append(f"  source-ips: {', '.join(found.source_ips)}\n")
    lines.extend(f"  source: {source}\n" for source in found.sources)
    emit("".join(lines))
    return EXIT_CLEAN


def _lookup(vendors: VendorRegistry, wanted: str) -> Vendor | None:
    from .model.values import is_account_id

    account = wanted.strip()
    if is_account_id(account):
        return vendors.by_account(account)
    return vendors.find(wanted)


def _add_suggest(commands: argparse._SubParsersAction[Parser]) -> None:
    from .suggest import FORMATS

    suggest = commands.add_parser(
        "suggest",
        help="print a role for a vendor with an external id and a source-IP Deny",
        description="Print a role for a vendor: a trust policy that pins the external id and a source-IP Deny.",
    )
    suggest.add_argument("--vendor", required=True, help="a vendor name from 'iam-saas-lint vendors'")
    suggest.add_argument("--format", choices=FORMATS, default="json")
    suggest.add_argument(
        "--source-ip", action="append", default=[], metavar="CIDR", help="the vendor's egress range (public, not /0)"
    )
    suggest.add_argument("--role-name", help="the role's name (default: VENDOR-integration)")
    suggest.add_argument("--account", metavar="ID", help="trust only this one of the vendor's accounts")
    suggest.add_argument("--repo", metavar="OWNER/REPO", help="for an OIDC issuer (github-actions…): what to pin")
    suggest.set_defaults(run=_suggest)


def source_ip_problem(cidr: str) -> str:
    """Why ``cidr`` cannot go in a suggested Deny's allow-list (empty when it can)."""
    from .model.cidrs import is_non_public, parse_cidr

    parsed = parse_cidr(cidr)
    if parsed.problem:
        return parsed.problem
    if parsed.span is not None and is_non_public(parsed.span):
        return f"{cidr!r} is a private or non-public range: a vendor reaches AWS from public addresses"
    return ""


def _suggest(args: argparse.Namespace) -> int:
    from .config import ConfigError
    from .records import replace
    from .suggest import ROLE_NAME, suggest

    try:
        vendor = _registry().find(args.vendor)
    except ConfigError as error:
        return _error(str(error))
    if vendor is None or args.repo is not None:
        from .model.issuers import find_issuer
        from .suggest_web_identity import SuggestError, suggest_web_identity

        issuer = find_issuer(args.vendor)
        if issuer is not None:
            try:
                emit(suggest_web_identity(issuer, args.format, args.repo))
            except SuggestError as error:
                return _error(str(error))
            return EXIT_CLEAN
    if vendor is None:
        return _error(f"no vendor named {args.vendor!r} (see 'iam-saas-lint vendors')")
    for cidr in args.source_ip:
        problem = source_ip_problem(cidr)
        if problem:
            return _error(f"--source-ip: {problem}")
    if args.account is not None:
        if args.account not in vendor.accounts:
            return _error(f"--account: {args.account!r} is not one of {vendor.name}'s ({', '.join(vendor.accounts)})")
        vendor = replace(vendor, accounts=(args.account,))
    if args.role_name is not None and not ROLE_NAME.fullmatch(args.role_name):
        return _error(f"--role-name: {args.role_name!r} is not a role name (1-64 of A-Z a-z 0-9 +=,.@_-)")
    cidrs = args.source_ip or list(vendor.source_ips or ())
    if not cidrs:
        print(
            f"iam-saas-lint: {vendor.name}'s egress ranges are not configured: fill in the placeholder, "
            "or pass --source-ip (or set source-ips in [tool.iam-saas-lint.vendors])",
            file=sys.stderr,
        )
    emit(suggest(vendor, args.format, cidrs, args.role_name))
    return EXIT_CLEAN
