"""The input formats the linter reads, in one registry.

Each ``Format`` says how a file is recognised (the endings of its name and, for JSON, a test of the
parsed data, tried in the order of ``FORMATS``), what a unit of it is (a file on its own, a folder
bundle built in a second pass, or a module of a folder's files read together), which function reads
it and in which syntaxes fixes are written for its documents. Discovery, unit planning, reading,
``--verbose`` skip reasons and the README's "What it reads" table all come from here.

Adding a format is one reader module and one entry here (see the README's design section).
Readers and tests are named as ``"module:function"`` below ``iam_saas_lint.sources`` and imported on
first use, so that a run that sees only JSON never imports YAML or HCL machinery.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any, Literal

from ..model.document import Syntax
from ..records import dataclass

#: ``file``: each file on its own; ``bundle``: recognised file by file, then read together with the
#: other files of its folder (or of a configured role); ``module``: a folder's files read together.
UnitKind = Literal["file", "bundle", "module"]
#: ``json``: the file is parsed as JSON once, ``shape`` tests the data and ``reader`` takes the
#: parsed ``JsonFile``; ``path``: ``reader`` reads the file itself, ``(path, max_bytes)``;
#: ``folder``: ``reader`` takes ``(directory, files, max_bytes, roots, engine)`` (``engine``: the
#: ``terraform-engine`` setting).
ReadsFrom = Literal["json", "path", "folder"]


@dataclass(frozen=True)
class FolderRule:
    """A folder walked only for the files a function of it names (a CDK cloud assembly)."""

    name: str
    #: ``"module:function"``: folder path → the files to read in it, or ``None`` when the folder is not
    #: what its name says (then it is walked like any other).
    files: str


@dataclass(frozen=True)
class Format:
    #: Short, for messages (``--verbose`` skip reasons).
    name: str
    #: For the README's "What it reads" table, with ``recognised`` and ``makes_a_role``.
    title: str
    #: Endings of file names (lower-case; matched case-insensitively). The longest ending that any
    #: format claims decides which formats a file may hold: ``x.tf.json`` is never plain ``.json``.
    suffixes: tuple[str, ...]
    unit: UnitKind
    reads_from: ReadsFrom
    reader: str
    #: For ``json``: ``"module:function"`` over the parsed data; formats are tried in registry order.
    shape: str | None = None
    #: The syntaxes fixes are written in for this format's documents (``fixes.RENDERERS``).
    syntaxes: tuple[Syntax, ...] = ("json",)
    folder: FolderRule | None = None
    recognised: str = ""
    makes_a_role: str = ""


_CFN_ROLE = (
    "`AWS::IAM::Role` with its `Policies`, `ManagedPolicyArns` (a `Ref`/`GetAtt` to an "
    "`AWS::IAM::ManagedPolicy` in the template), `PermissionsBoundary`, and the "
    "`AWS::IAM::Policy`/`ManagedPolicy`/`RolePolicy` resources that attach to it; SAM "
    "`AWS::Serverless::Function` `Policies` and `AssumeRolePolicyDocument`; StackSet `TemplateBody` templates"
)

FORMATS: tuple[Format, ...] = (
    Format(
        name="account export",
        title="`aws iam get-account-authorization-details` output",
        suffixes=(".json",),
        unit="file",
        reads_from="json",
        shape="account_export:is_account_export",
        reader="account_export:read_account_export",
        recognised="JSON with `RoleDetailList`",
        makes_a_role=(
            "each role's trust policy (objects or URL-encoded strings), inline policies, attached managed "
            "policies (their default version from `Policies`) and permissions boundary"
        ),
    ),
    Format(
        name="raw policy",
        title="raw policy JSON",
        suffixes=(".json",),
        unit="bundle",
        reads_from="json",
        shape="raw_policy:is_policy",
        reader="raw_policy:read_raw_policy",
        recognised="a top level with `Statement`",
        makes_a_role=(
            "a trust policy (principals, no resources) plus the permission policies in the same folder — the "
            "`roles/<name>/{trust,policy}.json` layout; or `[[tool.iam-saas-lint.roles]]` in the config"
        ),
    ),
    Format(
        name="CloudFormation JSON template",
        title="CloudFormation template, JSON (SAM, CDK synth output)",
        suffixes=(".json",),
        unit="file",
        reads_from="json",
        shape="cloudformation.template:is_template",
        reader="cloudformation.files:read_json_template",
        syntaxes=("cloudformation-json", "json"),
        folder=FolderRule("cdk.out", "cloudformation.cdk:cdk_templates"),
        recognised=(
            "`AWSTemplateFormatVersion`, or `Resources` whose entries have an `AWS::`/`Custom::` `Type` (SAM: "
            "`Transform: AWS::Serverless-2016-10-31`); a `cdk.out` folder is read only for the stack templates its "
            "`manifest.json` names (assets are not read; without a `manifest.json` it is an ordinary folder)"
        ),
        makes_a_role=_CFN_ROLE + "; CDK's `Fn::Join` principals over `AWS::Partition`, own account from "
        "`AWS::AccountId`",
    ),
    Format(
        name="Terraform plan",
        title="Terraform plan or state JSON (`terraform show -json`)",
        suffixes=(".json",),
        unit="file",
        reads_from="json",
        shape="terraform.plan:is_plan",
        reader="terraform.plan:read_plan",
        recognised="`format_version` with `planned_values` or `resource_changes` (a plan), or `values` (a state)",
        makes_a_role=(
            "resources of the root and every child module, linked by planned names and ARNs, or by the "
            "configuration's references within the same module instance (an attachment that may name any "
            "instance of a `count`/`for_each` resource is unknown); the templates `aws_cloudformation_stack` and "
            "`aws_cloudformation_stack_set` deploy (`template_body` with `parameters`); values known only after "
            "apply are unknown; sensitive values are never printed"
        ),
    ),
    Format(
        name="CloudFormation YAML template",
        title="CloudFormation template, YAML (SAM, Serverless Framework)",
        suffixes=(".yaml", ".yml", ".template"),
        unit="file",
        reads_from="path",
        reader="cloudformation.files:read_yaml_file",
        syntaxes=("cloudformation-yaml", "cloudformation-json", "json"),
        recognised=(
            "as the JSON template (a `.template` may hold either), or a Serverless Framework service "
            "(`serverless.yml`/`serverless.yaml`, or `service` with a `provider`); other YAML is skipped"
        ),
        makes_a_role=_CFN_ROLE + "; Serverless: the CloudFormation under `resources.Resources`, with "
        "`${self:…}` and `${opt:…, default}` resolved",
    ),
    Format(
        name="Terraform module",
        title="Terraform and OpenTofu configuration, native and JSON syntax",
        suffixes=(".tf", ".tf.json", ".tofu", ".tofu.json"),
        unit="module",
        reads_from="folder",
        reader="terraform:read_module",
        syntaxes=("terraform-jsonencode", "terraform-document", "json"),
        recognised=(
            "every such file; a folder's files are one module, read with `terraform.tfvars` and `*.auto.tfvars`, "
            "as the tool that runs it loads them: OpenTofu reads `x.tofu` instead of `x.tf` (and `x.tofu.json` "
            "instead of `x.tf.json`), Terraform ignores `.tofu` files; a folder with `.tofu` files is read as "
            'OpenTofu sees it unless `terraform-engine = "terraform"`'
        ),
        makes_a_role=(
            "`aws_iam_role` (`assume_role_policy`, `inline_policy`, `managed_policy_arns`, "
            "`permissions_boundary`), `aws_iam_role_policy`, `aws_iam_policy` + `aws_iam_role_policy_attachment`, "
            "`aws_iam_policy_attachment`, the `…_exclusive` resources; documents from `jsonencode`, heredocs, "
            '`data "aws_iam_policy_document"`, `file()` and `templatefile()` inside the scanned tree; the templates '
            "`aws_cloudformation_stack` and `aws_cloudformation_stack_set` deploy (`template_body` as a heredoc, "
            "`file()`, `templatefile()` or `jsonencode`, with `parameters`)"
        ),
    ),
)

#: Endings that formats above would claim by a shorter ending but that are not read yet: such files
#: are skipped with this reason (``--verbose``) instead of being taken for plain JSON.
NOT_READ: dict[str, str] = {}


def _claimed_suffixes() -> tuple[str, ...]:
    found = {suffix for fmt in FORMATS for suffix in fmt.suffixes} | set(NOT_READ)
    return tuple(sorted(found, key=len, reverse=True))


SUFFIXES = _claimed_suffixes()
FOLDER_RULES = {fmt.folder.name: fmt.folder for fmt in FORMATS if fmt.folder is not None}


_SUFFIX_SET = frozenset(SUFFIXES)


def suffix_of(name: str) -> str | None:
    """The longest ending of ``name`` that the registry knows, compared without case: the one that
    starts at the first dot whose ending is known (asked several times for every file)."""
    lowered = name.lower()
    dot = lowered.find(".")
    while dot != -1:
        if lowered[dot:] in _SUFFIX_SET:
            return lowered[dot:]
        dot = lowered.find(".", dot + 1)
    return None


@lru_cache(maxsize=64)
def _formats_with(suffix: str) -> tuple[Format, ...]:
    return tuple(fmt for fmt in FORMATS if suffix in fmt.suffixes)


def is_candidate(name: str) -> bool:
    return suffix_of(name) is not None


def not_read_reason(name: str) -> str | None:
    suffix = suffix_of(name)
    return NOT_READ.get(suffix) if suffix is not None else None


#: A file named on the command line whose name no format claims is tried as this ending's formats.
NAMED_FILE_FALLBACK = ".json"


def formats_for(name: str) -> tuple[Format, ...]:
    """The formats a file may hold, in the order they are tried."""
    return _formats_with(suffix_of(name) or NAMED_FILE_FALLBACK)


def unit_kind(name: str) -> UnitKind | None:
    """``module`` for a file read with the rest of its folder; ``file`` for one read on its own
    (which may still join a bundle in the second pass); ``None`` for one that is not read."""
    suffix = suffix_of(name)
    if suffix is not None and suffix in NOT_READ:
        return None
    return _kind_of(suffix or NAMED_FILE_FALLBACK)


@lru_cache(maxsize=64)
def _kind_of(suffix: str) -> UnitKind:
    return "module" if any(fmt.unit == "module" for fmt in _formats_with(suffix)) else "file"


def shares_folder(name: str) -> bool:
    """Whether a file's verdict may depend on the other files of its folder (bundles, modules)."""
    return any(fmt.unit in ("bundle", "module") for fmt in formats_for(name))


def read_with(name: str) -> tuple[str, ...]:
    """The endings of the files of its folder that a file is read with: its module format's (a
    Terraform folder's ``.tf``, ``.tf.json``, ``.tofu`` files), else its own (a JSON bundle)."""
    module = next((fmt for fmt in formats_for(name) if fmt.unit == "module"), None)
    if module is not None:
        return module.suffixes
    suffix = suffix_of(name)
    return (suffix,) if suffix is not None else ()


def not_recognised(formats: Sequence[Format]) -> str:
    """The ``--verbose`` reason for a file that none of the formats its name allows recognises."""
    return f"not {' or '.join(fmt.name for fmt in formats)}: not read"


@cache  # a few references, asked for every file
def load(reference: str) -> Callable[..., Any]:
    """``"module:function"`` below ``iam_saas_lint.sources``, imported now."""
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(f"{__package__}.{module_name}")
    found: Callable[..., Any] = getattr(module, attribute)
    return found


_UNIT_TEXT = {
    "file": "each file on its own",
    "bundle": "with the other policy files of its folder",
    "module": "a folder's files together",
}


def readme_table() -> str:
    """The README's "What it reads" table, in the order formats are tried."""
    lines = [
        "| input | file names | how it is recognised | read | what makes a role |",
        "|---|---|---|---|---|",
    ]
    for fmt in FORMATS:
        names = ", ".join(f"`*{suffix}`" for suffix in fmt.suffixes)
        if fmt.folder is not None:
            names += f" (in `{fmt.folder.name}`: as its manifest says)"
        lines.append(f"| {fmt.title} | {names} | {fmt.recognised} | {_UNIT_TEXT[fmt.unit]} | {fmt.makes_a_role} |")
    lines.append("")
    not_read = "; ".join(f"`*{s}` ({why.split(':')[0]})" for s, why in NOT_READ.items())
    lines.append("File names are compared without case." + (f" Not read yet: {not_read}." if not_read else ""))
    return "\n".join(lines) + "\n"


def update_readme(path: str = "README.md") -> bool:
    """Rewrite the README's table from the registry; whether it changed."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start = text.index("| input | file names |")
    end = text.index("\n\n", text.index("File names are compared", start)) + 1
    updated = text[:start] + readme_table() + text[end:]
    if updated != text:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(updated)
    return updated != text
