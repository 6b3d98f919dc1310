"""Serverless Framework variables (``${self:custom.x}``, ``${opt:stage, 'dev'}``) inside its CloudFormation.

The framework substitutes them before CloudFormation sees the template. A static reader can follow
``self:`` references into the file, use fallbacks and ``aws:accountId``; the rest (command-line
options, environment, SSM, other stacks) is unknown. IAM policy variables such as
``${aws:username}`` are not Serverless variables and stay as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...model.values import OWN_ACCOUNT, Unknown
from ...patterns import lazy_compile

_VARIABLE = lazy_compile(r"\$\{((?:self|opt|sls|env|ssm|cf|s3|param|file\(|aws:(?:accountId|region)\b)[^{}]*)\}")
_QUOTED = lazy_compile(r"""^\s*(?:'([^']*)'|"([^"]*)")\s*$""")
_MAX_ROUNDS = 10


def _is_index(part: str) -> bool:
    return part.isascii() and part.isdecimal() and len(part) < 20


def _lookup(service: Mapping[str, object], address: str) -> object:
    value: object = service
    for part in address.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and _is_index(part) and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _text(value: object) -> str | None:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _reference(reference: str, service: Mapping[str, object]) -> str | None:
    reference = reference.strip()
    quoted = _QUOTED.match(reference)
    if quoted:
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    if re.fullmatch(r"-?\d+(?:\.\d+)?", reference):
        return reference
    if reference == "aws:accountId":
        return OWN_ACCOUNT
    if reference.startswith("self:"):
        return _text(_lookup(service, reference[len("self:") :]))
    return None


def _variable(body: str, service: Mapping[str, object]) -> str | None:
    for option in body.split(","):
        value = _reference(option, service)
        if value is not None:
            return value
    return None


def _whole_value(text: str, service: Mapping[str, object], rounds: int) -> object:
    """A string that is one ``${self:…}`` naming an object or a list is replaced by that value
    (strings inside it substituted in turn); ``None`` when it is not such a string."""
    match = _VARIABLE.fullmatch(text.strip())
    if match is None or rounds >= _MAX_ROUNDS:
        return None
    for option in match.group(1).split(","):
        option = option.strip()
        if option.startswith("self:"):
            value = _lookup(service, option[len("self:") :])
            if isinstance(value, (dict, list)):
                return _substitute_inside(value, service, rounds + 1)
    return None


def _substitute_inside(value: object, service: Mapping[str, object], rounds: int) -> object:
    if isinstance(value, dict):
        return {key: _substitute_inside(item, service, rounds) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute_inside(item, service, rounds) for item in value]
    if isinstance(value, str) and "${" in value:
        return substitute(value, service, rounds)
    return value


def substitute(text: str, service: Mapping[str, object], rounds: int = 0) -> object:
    """``text`` with its Serverless variables replaced: text, the object or list a whole-string
    ``${self:…}`` names, or unknown."""
    whole = _whole_value(text, service, rounds)
    if whole is not None:
        return whole
    for _ in range(_MAX_ROUNDS):
        match = _VARIABLE.search(text)
        if match is None:
            return text
        value = _variable(match.group(1), service)
        if value is None:
            return Unknown(f"{text!r} uses the Serverless variable {match.group(0)}, known only at deploy time")
        text = text[: match.start()] + value + text[match.end() :]
    return Unknown(f"{text!r}: Serverless variables nested too deeply to follow")
