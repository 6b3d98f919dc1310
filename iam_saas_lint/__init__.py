"""iam-saas-lint: stop insecure IAM roles for third-party SaaS vendors before they are committed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import lint_paths, lint_policy, lint_role
    from .config import Config
    from .findings import Finding, Severity

__all__ = ["Config", "Finding", "Severity", "__version__", "lint_paths", "lint_policy", "lint_role"]

_LAZY = {
    "lint_paths": "api",
    "lint_policy": "api",
    "lint_role": "api",
    "Config": "config",
    "Finding": "findings",
    "Severity": "findings",
}


def __getattr__(name: str) -> Any:
    """Import the API on first use, so that ``import iam_saas_lint`` stays cheap."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
