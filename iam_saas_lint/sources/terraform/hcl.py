"""python-hcl2, loaded once and checked: the upstream 8.x package, its grammar cache, and parse errors.

python-hcl2 builds its Lark grammar on first use (about 1.3 s) and caches it beside the package
(``hcl2/.lark_cache.bin``). When that folder is read-only the cache can never be written and every
run pays the build again, so the cache moves to the user's cache folder instead.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...model.document import Problem
from ...model.values import Span

_REQUIRED_MAJOR = 8


class HclUnavailable(Exception):
    """The ``hcl2`` module is missing or is not python-hcl2 8.x."""


@dataclass(frozen=True)
class ParseError:
    message: str
    span: Span


def _user_cache_dir() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "iam-saas-lint"


def grammar_cache_path(package_cache: Path, version: str, lark_version: str) -> Path:
    """Where the grammar cache should live: beside the package when it can be written there."""
    if package_cache.exists() or os.access(package_cache.parent, os.W_OK):
        return package_cache
    python = f"{sys.version_info[0]}{sys.version_info[1]}"
    return _user_cache_dir() / f"hcl2-{version}-lark-{lark_version}-py{python}.lark_cache.bin"


def _check(module: Any) -> str:
    version = str(getattr(module, "__version__", "unknown"))
    major = version.split(".", 1)[0]
    missing = [name for name in ("parses", "api", "parser", "rules") if not hasattr(module, name)]
    if major != str(_REQUIRED_MAJOR) or missing:
        where = getattr(module, "__file__", "?")
        raise HclUnavailable(
            f"the installed 'hcl2' module ({where}, version {version}) is not python-hcl2 {_REQUIRED_MAJOR}.x; "
            "checkov's bc-python-hcl2 fork installs a module of the same name and cannot read Terraform here: "
            "install iam-saas-lint in an environment without checkov"
        )
    return version


@lru_cache(maxsize=1)
def hcl2_module() -> Any:
    """The checked ``hcl2`` module, with its grammar cache pointed somewhere writable."""
    try:
        import hcl2
    except ImportError as error:
        raise HclUnavailable(f"python-hcl2 is not installed ({error})") from error
    version = _check(hcl2)
    import hcl2.parser
    import lark

    package_cache = Path(hcl2.parser.PARSER_FILE)
    chosen = grammar_cache_path(package_cache, version, lark.__version__)
    if chosen != package_cache:
        try:
            chosen.parent.mkdir(parents=True, exist_ok=True)
            hcl2.parser.PARSER_FILE = chosen
        except OSError:
            pass  # no writable cache anywhere: every run builds the grammar
    return hcl2


def _describe_token(error: Any) -> str:
    token = getattr(error, "token", None)
    if token is None:
        char = getattr(error, "char", None)
        return f"character {char!r}" if char else "text"
    if token.type == "$END":
        return "end of file"
    text = str(token.value).strip().splitlines()
    return repr(text[0][:30]) if text else "end of line"


#: Characters that start or separate HCL tokens; their count bounds the parser's work.
_STRUCTURAL = str.maketrans("", "", '{}[]()=,:.?+-*/%<>!&|"\n')
#: python-hcl2's Lark parser takes about 0.1 ms and 3 KB per such character: a budget of
#: ``max-file-size / 128`` (40,960 by default, six times the busiest real module file) keeps one
#: file under about 5 s and 150 MB, where a 5 MB file of ``a=1`` lines would take minutes and gigabytes.
BYTES_PER_STRUCTURAL = 128


def hcl_budget(max_bytes: int) -> int:
    return max(max_bytes // BYTES_PER_STRUCTURAL, 1)


def structural_count(text: str) -> int:
    return len(text) - len(text.translate(_STRUCTURAL))


def parse_hcl(text: str, budget: int | None = None) -> Any:
    """The python-hcl2 tree of ``text``, or a ``ParseError`` (also when it is too large to parse)."""
    if budget is not None:
        count = structural_count(text)
        if count > budget:
            return ParseError(
                f"too large for the HCL parser: {count:,} delimiters and operators, over the {budget:,} "
                f"it is given (max-file-size / {BYTES_PER_STRUCTURAL}); not read",
                Span(1, 1, 1, 1),
            )
    hcl2 = hcl2_module()
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        return hcl2.parses(text, discard_comments=True)
    except RecursionError:
        return ParseError("invalid HCL: nested too deeply to read", Span(1, 1, 1, 1))
    except UnexpectedInput as error:
        line = max(int(getattr(error, "line", 1) or 1), 1)
        column = max(int(getattr(error, "column", 1) or 1), 1)
        return ParseError(f"invalid HCL: unexpected {_describe_token(error)}", Span(line, column, line, column))
    except (LarkError, RuntimeError, ValueError) as error:
        return ParseError(f"invalid HCL: {error}", Span(1, 1, 1, 1))


def unavailable_problem(file: str, error: HclUnavailable) -> Problem:
    return Problem(file, str(error), Span(1, 1, 1, 1), internal=True)
