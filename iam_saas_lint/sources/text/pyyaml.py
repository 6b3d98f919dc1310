"""PyYAML, imported with its regular expressions compiled on first use.

``import yaml`` compiles ten patterns at import, even for the C loader. One of them, the pure-Python
reader's test for unprintable characters (a negated class over most of Unicode), takes more than
half of the whole import, about a sixth of a one-file YAML run, and the C loader never uses it; the
resolver's patterns are used only for the plain scalars whose first character they are registered
for. While PyYAML's modules are executed, ``re.compile`` called from them returns the package's
``lazy_compile`` stand-in, which PyYAML only calls methods on (``match``, ``search``); every other
caller gets ``re.compile`` itself, and once imported nothing is patched.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from ...patterns import lazy_compile


def import_yaml() -> None:
    """Import PyYAML (``import yaml`` is then free) unless something already has."""
    if "yaml" in sys.modules:
        return
    compile_now = re.compile

    def compile_in_yaml_later(pattern: Any, flags: int = 0) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if isinstance(pattern, str) and (caller == "yaml" or caller.startswith("yaml.")):
            return lazy_compile(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_in_yaml_later
    try:
        import yaml  # noqa: F401
    finally:
        re.compile = compile_now
