"""Resolving CloudFormation intrinsic functions statically, without AWS.

What a static reader can know is resolved: parameter defaults, the pseudo-parameters that do not
depend on the deployment (``AWS::AccountId`` is the template's own account, ``AWS::Partition``
is ``aws``), ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap`` and the
branch of each ``Fn::If`` that the caller chose. Everything else becomes an ``Unknown`` that says
what and why. While resolving a policy document the resolver records, for each resolved path,
the path in the file it came from, so that findings can point into ``Fn::If`` branches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ...model.principals import account_of
from ...model.values import OWN_ACCOUNT, JsonPath, Unknown
from ...patterns import lazy_compile
from ..text.jsonfile import load_json
from .conditions import ParameterValues
from .intrinsic_values import NO_VALUE, NoValue, first_unknown, scalar_text, shown, truthy, unknown_in
from .lookups import find_in_map
from .template import Template
from .text_holes import PRINCIPAL_KEYS, Holes

PARTITION = "aws"
#: Longest text ``Fn::Sub``/``Fn::Join`` may build (a template could otherwise multiply its size).
MAX_TEXT = 1_000_000
URL_SUFFIX = "amazonaws.com"
_SUB_VARIABLE = lazy_compile(r"\$\{([^}]*)\}")
_SUB_NAME = lazy_compile(r"[A-Za-z0-9_]+(?:::[A-Za-z0-9_]+)*(?:\.[A-Za-z0-9_.]+)?")
_IAM_ARN_KINDS = {
    "AWS::IAM::Role": ("role", "RoleName"),
    "AWS::IAM::User": ("user", "UserName"),
    "AWS::IAM::Group": ("group", "GroupName"),
    "AWS::IAM::InstanceProfile": ("instance-profile", "InstanceProfileName"),
    "AWS::IAM::ManagedPolicy": ("policy", "ManagedPolicyName"),
}
_DEPLOY_TIME_PSEUDO = {
    "AWS::Region": "the deployment region",
    "AWS::StackName": "the stack name",
    "AWS::StackId": "the stack id",
    "AWS::NotificationARNs": "the stack's notification ARNs",
}


PathMap = dict[JsonPath, JsonPath]


class Resolver:
    """Resolves values of one template for one assignment of its conditions (``branches``)."""

    def __init__(
        self,
        template: Template,
        branches: Mapping[str, bool] | None = None,
        parameters: Mapping[str, ParameterValues] | None = None,
    ) -> None:
        self.template = template
        self.branches: Mapping[str, bool] = branches or {}
        #: What the chosen branches say about parameters (``Fn::Equals`` in the conditions).
        self.constraints: Mapping[str, ParameterValues] = parameters or {}
        #: While reading a document written as text: unresolved parts, left in the text as markers.
        self._holes: Holes | None = None

    # -- entry points ------------------------------------------------------------------------
    def value(self, raw: object, origin: JsonPath) -> object:
        return self._resolve(raw, origin, (), None, False)

    def document(self, raw: object, origin: JsonPath) -> tuple[object, PathMap]:
        """A resolved document and, for each of its paths, the file path it came from."""
        paths: PathMap = {}
        return self._resolve(raw, origin, (), paths, False), paths

    def text_document(self, raw: object, origin: JsonPath) -> object:
        """A policy written as JSON text by ``Fn::Sub``/``Fn::Join``, parsed with its unresolved
        parts as ``Unknown`` values instead of making the whole document unknown."""
        self._holes = holes = Holes()
        try:
            text = self.value(raw, origin)
        finally:
            self._holes = None
        if not isinstance(text, str) or not holes.found:
            return text
        try:
            parsed = load_json(text)
        except ValueError:
            return Unknown(f"a policy written as text whose unresolved parts make it unreadable ({holes.first()})")
        return holes.fill(parsed)

    def pick(self, raw: object, origin: JsonPath) -> tuple[object, JsonPath] | NoValue | Unknown:
        """The value behind ``Fn::If`` wrappers, without resolving anything else."""
        while isinstance(raw, dict) and len(raw) == 1:
            ((key, arg),) = raw.items()
            if key == "Fn::If":
                branch = self.branch(arg)
                if isinstance(branch, Unknown):
                    return branch
                assert isinstance(arg, list)
                raw, origin = arg[branch], origin + ("Fn::If", branch)
            elif key == "Ref" and arg == "AWS::NoValue":
                return NO_VALUE
            else:
                break
        return raw, origin

    def items(self, raw: object, origin: JsonPath) -> list[tuple[object, JsonPath]] | Unknown:
        """The members of a list property after ``Fn::If`` and ``AWS::NoValue``, each still raw."""
        picked = self.pick(raw, origin)
        if isinstance(picked, (NoValue, Unknown)):
            return [] if isinstance(picked, NoValue) else picked
        raw, origin = picked
        if not isinstance(raw, list):
            resolved = self.value(raw, origin)
            if isinstance(resolved, Unknown):
                return resolved
            if isinstance(resolved, list):
                return [(item, origin) for item in resolved]
            return [] if isinstance(resolved, NoValue) else [(resolved, origin)]
        found: list[tuple[object, JsonPath]] = []
        for index, item in enumerate(raw):
            member = self.pick(item, origin + (index,))
            if isinstance(member, NoValue):
                continue
            found.append((member, origin + (index,)) if isinstance(member, Unknown) else member)
        return found

    def branch(self, arg: object) -> int | Unknown:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            return Unknown("a malformed Fn::If (it needs [condition, value if true, value if false])")
        chosen = self.branches.get(arg[0])
        if chosen is None:
            if arg[0] not in self.template.conditions:
                return Unknown(f"Fn::If on condition {arg[0]}, which the template does not define")
            return Unknown(f"Fn::If on condition {arg[0]}, one condition too many to try every branch")
        return 1 if chosen else 2

    # -- the walk ----------------------------------------------------------------------------
    def _resolve(self, raw: object, origin: JsonPath, path: JsonPath, paths: PathMap | None, principal: bool) -> object:
        if paths is not None:
            paths[path] = origin
        if isinstance(raw, dict):
            if len(raw) == 1:
                ((key, arg),) = raw.items()
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._intrinsic(key, arg, origin, path, paths, principal)
            result: dict[str, object] = {}
            for key, value in raw.items():
                inner = principal or key in PRINCIPAL_KEYS
                resolved = self._resolve(value, origin + (key,), path + (key,), paths, inner)
                if not isinstance(resolved, NoValue):
                    result[key] = resolved
            return result
        if isinstance(raw, list):
            items: list[object] = []
            for index, item in enumerate(raw):
                resolved = self._resolve(item, origin + (index,), path + (len(items),), paths, principal)
                if not isinstance(resolved, NoValue):
                    items.append(resolved)
            return items
        if isinstance(raw, str):
            return self._text(raw)
        return raw

    def _text(self, text: str) -> object:
        if "{{resolve:" in text:
            return Unknown(f"{text!r} is a dynamic reference, resolved only at deploy time")
        if self.template.service is not None and "${" in text:
            from .serverless import substitute

            return substitute(text, self.template.service)
        return text

    def _intrinsic(
        self, key: str, arg: object, origin: JsonPath, path: JsonPath, paths: PathMap | None, principal: bool
    ) -> object:
        if key == "Fn::If":
            branch = self.branch(arg)
            if isinstance(branch, Unknown):
                return branch
            assert isinstance(arg, list)
            return self._resolve(arg[branch], origin + (key, branch), path, paths, principal)
        if key == "Ref":
            return self.ref(arg)
        if key == "Fn::Sub":
            return self._sub(arg, principal)
        if key == "Fn::Join":
            return self._join(arg, origin + (key,), principal)
        if key == "Fn::Select":
            return self._select(arg, origin + (key,))
        if key == "Fn::Split":
            return self._split(arg, origin + (key,))
        if key == "Fn::FindInMap":
            return find_in_map(self, arg, origin + (key,))
        if key == "Fn::GetAtt":
            if isinstance(arg, str):
                arg = arg.split(".", 1)
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
                attribute = self.value(arg[1], origin + (key, 1))
                if isinstance(attribute, str):
                    return self.get_att(arg[0], attribute)
            return Unknown("a Fn::GetAtt whose resource or attribute cannot be told")
        if key == "Fn::Length":
            items = self.value(arg, origin + (key,))
            return len(items) if isinstance(items, list) else unknown_in(items, "a Fn::Length of something not a list")
        if key == "Fn::ToJsonString":
            value = self.value(arg, origin + (key,))
            found = first_unknown(value)
            return found if found is not None else json.dumps(value, separators=(",", ":"))
        if key == "Fn::ImportValue":
            return Unknown(f"Fn::ImportValue {self._describe(arg)}, an export of another stack")
        return Unknown(f"{key}, which a static reader does not evaluate")

    def _describe(self, raw: object) -> str:
        value = self.value(raw, ())
        return repr(value) if isinstance(value, str) else shown(raw)

    # -- references --------------------------------------------------------------------------
    def ref(self, name: object) -> object:
        if not isinstance(name, str):
            return Unknown("a Ref whose target is not a name")
        if name == "AWS::AccountId":
            return OWN_ACCOUNT
        if name == "AWS::Partition":
            return PARTITION
        if name == "AWS::URLSuffix":
            return URL_SUFFIX
        if name == "AWS::NoValue":
            return NO_VALUE
        region = self.constraints.get(name) if name == "AWS::Region" else None
        if region is not None and len(region.literals) == 1 and not region.other:
            return next(iter(region.literals))  # the variant tried for a map keyed by region
        if name in _DEPLOY_TIME_PSEUDO:
            return Unknown(f"{name}, {_DEPLOY_TIME_PSEUDO[name]}, known only at deploy time")
        if name in self.template.parameters:
            return self.parameter(name)
        if name in self.template.resources:
            return self._resource_ref(name)
        return Unknown(f"Ref to {name}, which the template does not define")

    def parameter(self, name: str) -> object:
        spec = self.template.parameters[name]
        kind = str(spec.get("Type", "String"))
        if truthy(spec.get("NoEcho")):
            return Unknown(f"parameter {name} is NoEcho: its value is supplied at deploy time")
        if kind.startswith("AWS::SSM::Parameter::Value"):
            return Unknown(f"parameter {name} is read from Systems Manager at deploy time")
        constraint = self.constraints.get(name)
        single = next(iter(constraint.literals)) if constraint and len(constraint.literals) == 1 else None
        if constraint and single is not None and not constraint.other:
            return single  # the branch taken fixes the value
        if "Default" not in spec:
            return Unknown(f"parameter {name} has no Default: its value is supplied at deploy time")
        default = spec["Default"]
        if constraint and not isinstance(default, (dict, list)) and not constraint.allows(scalar_text(default)):
            return Unknown(f"parameter {name}, which is not its Default {scalar_text(default)!r} in this branch")
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            if isinstance(default, list):
                return [scalar_text(item) for item in default]
            return [part.strip() for part in scalar_text(default).split(",")]
        if isinstance(default, (dict, list)):
            return Unknown(f"parameter {name} has a Default that is not text")
        text = scalar_text(default)
        if "{{resolve:" in text:
            return Unknown(f"parameter {name} defaults to a dynamic reference, resolved only at deploy time")
        return text

    def _name_of(self, logical_id: str, property_name: str) -> str | None:
        name = self.template.properties(logical_id).get(property_name)
        return name if isinstance(name, str) else None

    def _oidc_provider_arn(self, logical_id: str) -> object:
        """``Ref`` and ``Fn::GetAtt …Arn`` of an ``AWS::IAM::OIDCProvider``: the ARN IAM gives it, from ``Url``."""
        url = self._name_of(logical_id, "Url")
        if url is None:
            return Unknown(f"the ARN of OIDC provider {logical_id}, whose Url is not a literal")
        host = url.split("://", 1)[-1]
        return f"arn:{PARTITION}:iam::{OWN_ACCOUNT}:oidc-provider/{host}"

    def _resource_ref(self, logical_id: str) -> object:
        kind = self.template.type_of(logical_id) or "an unknown type"
        if kind == "AWS::IAM::OIDCProvider":
            return self._oidc_provider_arn(logical_id)
        found = _IAM_ARN_KINDS.get(kind)
        if found is not None:
            resource_type, property_name = found
            name = self._name_of(logical_id, property_name)
            if resource_type == "policy":
                return self._policy_arn(logical_id)
            if name is not None:
                return name
            return Unknown(f"the name CloudFormation generates for {logical_id}")
        return Unknown(f"Ref to resource {logical_id} ({kind}), known only after deployment")

    def _policy_arn(self, logical_id: str) -> str | Unknown:
        """A managed policy's ARN from its ``ManagedPolicyName`` and ``Path``; a generated name is unknown."""
        properties = self.template.properties(logical_id)
        name = self.value(properties["ManagedPolicyName"], ()) if "ManagedPolicyName" in properties else None
        path = self.value(properties["Path"], ()) if "Path" in properties else "/"
        if not isinstance(name, str) or not isinstance(path, str):
            return Unknown(f"the ARN CloudFormation generates for {logical_id}")
        return f"arn:{PARTITION}:iam::{OWN_ACCOUNT}:policy{path}{name}"

    def get_att(self, logical_id: str, attribute: str) -> object:
        kind = self.template.type_of(logical_id)
        if kind is None:
            return Unknown(f"Fn::GetAtt {logical_id}.{attribute}, a resource the template does not define")
        if kind == "AWS::IAM::OIDCProvider" and attribute == "Arn":
            return self._oidc_provider_arn(logical_id)
        found = _IAM_ARN_KINDS.get(kind)
        if found is not None and attribute in ("Arn", "PolicyArn"):
            resource_type, property_name = found
            if resource_type == "policy":
                return self._policy_arn(logical_id)
            name = self._name_of(logical_id, property_name) or logical_id
            return f"arn:{PARTITION}:iam::{OWN_ACCOUNT}:{resource_type}/{name}"
        return Unknown(f"Fn::GetAtt {logical_id}.{attribute}, known only after deployment")

    # -- string functions --------------------------------------------------------------------
    def _compose(self, parts: list[str | tuple[Unknown, str]], principal: bool) -> str | Unknown:
        if sum(len(part) if isinstance(part, str) else 0 for part in parts) > MAX_TEXT:
            return Unknown(f"a text of more than {MAX_TEXT:,} characters, not built")
        if all(isinstance(part, str) for part in parts):
            return "".join(part for part in parts if isinstance(part, str))
        if self._holes is not None:
            holes = self._holes
            return "".join(part if isinstance(part, str) else holes.mark(part) for part in parts)
        written = "".join(part if isinstance(part, str) else part[1] for part in parts)
        unknown = next(part[0] for part in parts if not isinstance(part, str))
        if principal and account_of(written).account is not None:
            return written  # the account is known; the rest only names a role or user in it
        return Unknown(f"{written!r}, where {unknown}")

    @staticmethod
    def _piece(value: object, placeholder: str) -> str | tuple[Unknown, str]:
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, (str, int, float)):
            return str(value)
        if isinstance(value, Unknown):
            return value, placeholder
        return Unknown(f"{placeholder} is not text"), placeholder

    def _sub(self, arg: object, principal: bool) -> str | Unknown:
        variables: dict[str, object] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            variables = arg[1]
            arg = arg[0]
        if not isinstance(arg, str):
            return Unknown("a Fn::Sub whose template is not text")
        text = self._text(arg)
        if isinstance(text, Unknown):
            return text
        if not isinstance(text, str):
            return Unknown("a Fn::Sub whose template is a Serverless variable naming an object")
        parts: list[str | tuple[Unknown, str]] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(text[position : match.start()])
            position = match.end()
            name = match.group(1)
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
            elif name in variables:
                parts.append(self._piece(self.value(variables[name], ()), match.group(0)))
            elif not _SUB_NAME.fullmatch(name):
                parts.append(match.group(0))  # not a reference (an IAM policy variable, say)
            elif "." in name and "::" not in name:
                resource, attribute = name.split(".", 1)
                parts.append(self._piece(self.get_att(resource, attribute), match.group(0)))
            else:
                parts.append(self._piece(self.ref(name), match.group(0)))
        parts.append(text[position:])
        return self._compose(parts, principal)

    def _join(self, arg: object, origin: JsonPath, principal: bool) -> str | Unknown:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            return Unknown("a malformed Fn::Join (it needs [delimiter, [values]])")
        delimiter, raw_items = arg
        members = self.value(raw_items, origin + (1,))
        if isinstance(members, Unknown):
            return members
        if not isinstance(members, list):
            return Unknown("a Fn::Join over something that is not a list")
        raw_list = raw_items if isinstance(raw_items, list) and len(raw_items) == len(members) else None
        parts: list[str | tuple[Unknown, str]] = []
        for index, member in enumerate(members):
            if index:
                parts.append(delimiter)
            parts.append(self._piece(member, shown(raw_list[index]) if raw_list else "${...}"))
        return self._compose(parts, principal)

    def _select(self, arg: object, origin: JsonPath) -> object:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown("a malformed Fn::Select (it needs [index, [values]])")
        index = self.value(arg[0], origin + (0,))
        members = self.value(arg[1], origin + (1,))
        if isinstance(members, Unknown):
            return members
        if isinstance(index, str) and index.isascii() and index.isdecimal() and len(index) < 20:
            index = int(index)
        if not isinstance(index, int) or isinstance(index, bool):
            return Unknown("a Fn::Select whose index cannot be told")
        if not isinstance(members, list) or not 0 <= index < len(members):
            return Unknown(f"a Fn::Select of item {index} from a list that does not have it")
        return members[index]

    def _split(self, arg: object, origin: JsonPath) -> object:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and arg[0]):
            return Unknown("a malformed Fn::Split (it needs [delimiter, text])")
        source = self.value(arg[1], origin + (1,))
        if isinstance(source, Unknown):
            return source
        if not isinstance(source, str):
            return Unknown("a Fn::Split of something that is not text")
        return source.split(arg[0])
