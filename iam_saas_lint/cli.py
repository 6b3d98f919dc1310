"""The command line: ``iam-saas-lint [PATH ...]``, ``iam-saas-lint rule ID``, ``iam-saas-lint rules``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .findings import Finding

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("rule", "rules", "vendors", "suggest")
FORMATS = ("text", "concise", "json", "sarif", "github")


def _ids(values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip().upper() for value in values for part in value.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iam-saas-lint",
        description="Lint IAM roles for third-party SaaS vendors: external ids and source-IP denies.",
        epilog="Also: 'iam-saas-lint rules' lists the rules, 'iam-saas-lint rule ISL001' explains one, "
        "'iam-saas-lint vendors [NAME]' lists the known vendor accounts.",
    )
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    parser.add_argument("--statistics", action="store_true", help="print the number of findings per rule")
    parser.add_argument("--show-fixes", action="store_true", help="show the snippet that fixes each finding")
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes (default: one below a few hundred units to lint, else available CPUs)",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write .iam-saas-lint-cache/")
    parser.add_argument("--baseline", metavar="FILE", help="report only findings that are not in this baseline")
    parser.add_argument("--write-baseline", metavar="FILE", help="record the current findings as a baseline")
    parser.add_argument("--config", metavar="FILE", help="configuration file (default: nearest pyproject.toml)")
    parser.add_argument("--select", action="append", metavar="IDS", help="rule id prefixes to enable")
    parser.add_argument("--ignore", action="append", metavar="IDS", help="rule id prefixes to disable")
    parser.add_argument("--own-account", action="append", default=[], metavar="ID", help="an account id you own")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--verbose", action="store_true", help="say which files and folders were skipped")
    parser.add_argument("--debug", action="store_true", help="print tracebacks of internal errors")
    parser.add_argument("--version", action="version", version=f"iam-saas-lint {__version__}")
    return parser


def _vendors_command(argv: Sequence[str]) -> int:
    from .config import ConfigError, load_config
    from .model.vendors import registry

    try:
        vendors = registry(load_config(None, ".").settings.vendors)
    except ConfigError as error:
        print(f"iam-saas-lint: {error}", file=sys.stderr)
        return EXIT_ERROR
    if len(argv) == 1:
        for vendor in vendors.vendors:
            kind = " (AWS service)" if vendor.aws_service else " (configured)" if vendor.configured else ""
            print(f"{vendor.name}{kind}: {', '.join(vendor.accounts)}")
        return EXIT_CLEAN
    found = vendors.find(" ".join(argv[1:]))
    if found is None:
        print(f"iam-saas-lint: no vendor named {' '.join(argv[1:])!r} (see 'iam-saas-lint vendors')", file=sys.stderr)
        return EXIT_ERROR
    print(found.name)
    print(f"  accounts: {', '.join(found.accounts)}")
    if found.source_ips is not None:
        print(f"  source-ips: {', '.join(found.source_ips)}")
    for source in found.sources:
        print(f"  source: {source}")
    return EXIT_CLEAN


def _suggest_command(argv: Sequence[str]) -> int:
    from .config import ConfigError, load_config
    from .model.vendors import registry
    from .suggest import FORMATS as SUGGEST_FORMATS
    from .suggest import suggest

    parser = argparse.ArgumentParser(
        prog="iam-saas-lint suggest", description="Print a trust policy and a source-IP Deny for a vendor."
    )
    parser.add_argument("--vendor", required=True, help="a vendor name from 'iam-saas-lint vendors'")
    parser.add_argument("--format", choices=SUGGEST_FORMATS, default="json")
    parser.add_argument("--source-ip", action="append", default=[], metavar="CIDR", help="the vendor's egress range")
    args = parser.parse_args(argv)
    try:
        vendor = registry(load_config(None, ".").settings.vendors).find(args.vendor)
    except ConfigError as error:
        print(f"iam-saas-lint: {error}", file=sys.stderr)
        return EXIT_ERROR
    if vendor is None:
        print(f"iam-saas-lint: no vendor named {args.vendor!r} (see 'iam-saas-lint vendors')", file=sys.stderr)
        return EXIT_ERROR
    cidrs = args.source_ip or list(vendor.source_ips or ())
    if not cidrs:
        print(
            f"iam-saas-lint: {vendor.name}'s egress ranges are not configured: fill in the placeholder, "
            "or pass --source-ip (or set source-ips in [tool.iam-saas-lint.vendors])",
            file=sys.stderr,
        )
    sys.stdout.write(suggest(vendor, args.format, cidrs))
    return EXIT_CLEAN


def _rule_command(argv: Sequence[str]) -> int:
    from .rules import RULES, RULES_BY_ID

    if argv[0] == "vendors":
        return _vendors_command(argv)
    if argv[0] == "suggest":
        return _suggest_command(argv[1:])
    if argv[0] == "rules":
        for rule in RULES:
            default = "" if rule.enabled_by_default else " (off by default)"
            print(f"{rule.id}  {rule.name:<28} {rule.severity.value:<8} {rule.summary}{default}")
        return EXIT_CLEAN
    if len(argv) != 2 or argv[1].upper() not in RULES_BY_ID:
        known = ", ".join(RULES_BY_ID)
        print(f"iam-saas-lint: usage: iam-saas-lint rule ID (one of {known})", file=sys.stderr)
        return EXIT_ERROR
    rule = RULES_BY_ID[argv[1].upper()]
    print(f"# {rule.id} {rule.name} ({rule.severity.value})\n")
    print(rule.doc.strip())
    return EXIT_CLEAN


def _lines(findings: Sequence[Finding]) -> dict[str, list[str]]:
    from .sources.text.files import source_lines  # bounded, regular files only (an oversized file may be 100 MB)

    lines: dict[str, list[str]] = {}
    for path in {f.path for f in findings}:
        found = source_lines(path)
        if found is not None:
            lines[path] = found
    return lines


def _render(args: argparse.Namespace, findings: Sequence[Finding]) -> str:
    from .report import text

    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if args.quiet:
        return text.summary_line(findings) + "\n"
    if args.statistics:
        return text.format_statistics(findings)
    if args.format == "json":
        from .report.json_format import format_json

        return format_json(findings)
    if args.format == "sarif":
        from .report.sarif import format_sarif

        return format_sarif(findings)
    if args.format == "github":
        from .report.github import format_github

        return format_github(findings)
    if args.format == "concise":
        return text.format_concise(findings, colour=colour)
    return text.format_text(findings, _lines(findings), colour=colour, show_fixes=args.show_fixes)


def _baseline(args: argparse.Namespace, findings: list[Finding]) -> list[Finding]:
    if not (args.write_baseline or args.baseline):
        return findings
    from . import baseline

    if args.write_baseline:
        with open(args.write_baseline, "w", encoding="utf-8") as handle:
            handle.write(baseline.dump(findings))
        print(f"iam-saas-lint: wrote {len(findings)} findings to {args.write_baseline}", file=sys.stderr)
        return []
    if args.baseline:
        with open(args.baseline, encoding="utf-8") as handle:
            recorded = baseline.load(handle.read(), args.baseline)
        return baseline.new_findings(findings, recorded)
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return _rule_command(argv)
    args = _parser().parse_args(argv)
    from .config import ConfigError, load_config

    try:
        config = load_config(args.config, ".")
        for account in args.own_account:
            if not (len(account) == 12 and account.isdigit()):
                raise ConfigError(f"--own-account: {account!r} is not a 12-digit account id")
        config = config.with_overrides(args.own_account, _ids(args.select), _ids(args.ignore))
    except ConfigError as error:
        print(f"iam-saas-lint: {error}", file=sys.stderr)
        return EXIT_ERROR
    from .engine import run

    if args.jobs is not None and args.jobs < 1:
        print("iam-saas-lint: --jobs must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    result = run(args.paths, config, jobs=args.jobs, use_cache=not args.no_cache)
    findings = result.findings
    try:
        findings = _baseline(args, findings)
    except (OSError, ValueError) as error:
        print(f"iam-saas-lint: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.verbose:
        for path, why in result.skipped:
            print(f"iam-saas-lint: skipped {path}: {why}", file=sys.stderr)
    if args.debug:
        for trace in result.tracebacks:
            print(trace, file=sys.stderr)
    sys.stdout.write(_render(args, findings))
    if result.internal_error:
        return EXIT_ERROR
    if findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN
