"""``--hook``: from the files a commit changes to the files to lint.

A unit's verdict depends on more than its own files: a Terraform module on its ``terraform.tfvars``,
``*.auto.tfvars`` (``.json``) and the files its ``file()``/``templatefile()`` read; a raw policy
bundle on every policy in its folder; a configured role on its trust and policy files. A commit that
changes or deletes only one of those must still bring the unit in, so each changed or deleted file is
mapped to every file of the units it takes part in, and those are linted as if named:

- an IaC file that still exists is linted (its bundle or module comes with it, as for any named file);
- a ``.tfvars`` file brings in the ``.tf`` files of its folder (its module);
- a deleted ``.tf`` file brings in what is left of its module, a deleted ``.json`` what is left of its
  folder's bundle;
- any other changed or deleted file (a ``.json``, ``.tpl``, ``.tftpl`` …) brings in every Terraform
  module under the working directory whose text names it (its base name): what ``file()`` and
  ``templatefile()`` calls read;
- a file of a ``[[tool.iam-saas-lint.roles]]`` role brings in that role's files;
- a Terraform file of a called module brings in every folder under the working directory whose
  ``module`` calls lead to it (callers of callers too): a called module is judged only through its
  callers. The other way round needs nothing here: a caller's unit holds the modules it calls;
- a CloudFormation template brings in every template under the working directory that deploys it as
  a nested stack (``AWS::CloudFormation::Stack``, ``AWS::Serverless::Application`` or a CDK asset
  naming its file; parents of parents too): a nested child is judged with the parameters its parent
  passes, and alone it would be judged with them unknown.

Deletions are the named paths that do not exist plus what ``git diff --cached`` says is deleted
(pre-commit passes only the files that exist).
"""

from __future__ import annotations

import fnmatch
import glob
import os
import subprocess
from collections.abc import Iterable, Sequence

from .config import Config
from .discovery import discover
from .sources.formats import FORMATS, is_candidate, not_read_reason

#: The endings of files read as a folder's module (Terraform), from the format registry.
TERRAFORM_SUFFIXES = tuple(suffix for fmt in FORMATS if fmt.unit == "module" for suffix in fmt.suffixes)
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
#: Files whose change cannot alter a verdict by themselves being read as a file() target.
_NOT_TARGETS = TERRAFORM_SUFFIXES + TFVARS_SUFFIXES


def staged_deletions() -> list[str]:
    """Files the commit being made deletes, relative to the working directory (the repository root,
    where pre-commit and git run hooks); none outside a git repository."""
    command = ["git", "diff", "--cached", "--name-only", "--no-renames", "--diff-filter=D", "-z"]
    try:
        done = subprocess.run(command, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    return [name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def _folder_files(directory: str, suffixes: tuple[str, ...]) -> list[str]:
    try:
        names = sorted(os.listdir(directory or "."))
    except OSError:
        return []
    return [
        os.path.join(directory, name)
        for name in names
        if name.lower().endswith(suffixes) and not_read_reason(name) is None
    ]


def _text_of(path: str, config: Config) -> str:
    """The file's text, or nothing when it cannot be read (what is unreadable names no file)."""
    from .sources.text.files import TextFile, read_text

    text = read_text(path, config.max_file_size)
    return text.text if isinstance(text, TextFile) else ""


def _naming_modules(targets: Iterable[str], config: Config) -> set[str]:
    """The Terraform files of every module under the working directory that names one of ``targets``."""
    names = {os.path.basename(path) for path in targets}
    if not names:
        return set()
    found: set[str] = set()
    for path in discover(["."], config.exclude, config.root).files:
        if not path.lower().endswith(TERRAFORM_SUFFIXES) or os.path.dirname(path) in found:
            continue
        text = _text_of(path, config)
        if any(name in text for name in names):
            found.add(os.path.dirname(path))
    return {file for directory in found for file in _folder_files(directory, TERRAFORM_SUFFIXES)}


def _calling_modules(changed: Iterable[str], config: Config) -> set[str]:
    """The Terraform files of every folder under the working directory whose module calls lead to
    the folder of one of the ``changed`` Terraform files."""
    targets = {
        os.path.realpath(os.path.dirname(path) or ".") for path in changed if path.lower().endswith(TERRAFORM_SUFFIXES)
    }
    if not targets:
        return set()
    from .sources.terraform.files import engine_of
    from .sources.terraform.module_graph import CallGraph

    folders: dict[str, list[str]] = {}
    for path in discover(["."], config.exclude, config.root).files:
        if path.lower().endswith(TERRAFORM_SUFFIXES):
            folders.setdefault(os.path.dirname(path), []).append(path)
    graph = CallGraph(["."], config.max_file_size, engine_of(config.terraform_engine))
    callees = {
        folder: {os.path.realpath(target or ".") for target in graph.local_callees(folder, files)}
        for folder, files in folders.items()
    }
    callers: set[str] = set()
    frontier = targets
    while frontier:
        found = {folder for folder, called in callees.items() if called & frontier and folder not in callers}
        callers |= found
        frontier = {os.path.realpath(folder or ".") for folder in found}
    return {path for folder in callers for path in folders[folder]}


#: Text that a template deploying another one as a nested stack holds.
_NESTING_MARKERS = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application", "aws:asset:path")
_TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def _nesting_templates(changed: Iterable[str], deleted: Iterable[str], config: Config) -> set[str]:
    """Every template under the working directory that deploys one of the ``changed`` (or ``deleted``)
    templates as a nested stack, directly or through other nested stacks. A parent is found by its text: it holds a
    nesting marker and the child's file name (a parent that names a same-named file elsewhere is
    linted needlessly, never missed)."""

    def is_template(path: str) -> bool:
        lowered = path.lower()
        return lowered.endswith(_TEMPLATE_SUFFIXES) and not lowered.endswith(TERRAFORM_SUFFIXES)

    children = {path for path in changed if is_template(path) and "Resources" in _text_of(path, config)}
    children.update(path for path in deleted if is_template(path))
    if not children:
        return set()
    parents: dict[str, str] = {}
    for path in discover(["."], config.exclude, config.root).files:
        if is_template(path):
            text = _text_of(path, config)
            if any(marker in text for marker in _NESTING_MARKERS):
                parents[path] = text
    found: set[str] = set()
    frontier = children
    while frontier:
        names = {os.path.basename(path) for path in frontier}
        frontier = {
            path
            for path, text in parents.items()
            if path not in found and path not in frontier and any(name in text for name in names)
        }
        found |= frontier
    return found


def _explicit_roles(paths: set[str], config: Config) -> set[str]:
    absolute = {os.path.abspath(path) for path in paths}
    files: set[str] = set()
    for role in config.roles:
        members = [os.path.abspath(role.trust)] + [os.path.abspath(p) for p in role.policies]
        if any(any(fnmatch.fnmatch(path, member) for member in members) for path in absolute):
            files.add(role.trust)
            files.update(match for pattern in role.policies for match in glob.glob(pattern))
    return {os.path.relpath(path) for path in files if os.path.isfile(path)}


def hook_paths(changed: Sequence[str], config: Config) -> list[str]:
    """The files to lint for a commit that changes ``changed`` (and deletes what git says)."""
    existing = [path for path in changed if os.path.lexists(path)]
    deleted = sorted({*(path for path in changed if not os.path.lexists(path)), *staged_deletions()})
    paths: set[str] = set()
    for path in existing:
        if is_candidate(os.path.basename(path)):
            paths.add(path)
        if path.endswith(TFVARS_SUFFIXES):
            paths.update(_folder_files(os.path.dirname(path), TERRAFORM_SUFFIXES))
    for path in deleted:
        if path.lower().endswith(TERRAFORM_SUFFIXES + TFVARS_SUFFIXES):
            paths.update(_folder_files(os.path.dirname(path), TERRAFORM_SUFFIXES))
        elif path.endswith(".json"):
            paths.update(_folder_files(os.path.dirname(path), (".json",)))
    targets = [path for path in [*existing, *deleted] if not path.endswith(_NOT_TARGETS)]
    paths.update(_naming_modules(targets, config))
    paths.update(_explicit_roles({*existing, *deleted}, config))
    paths.update(_calling_modules([*existing, *deleted], config))
    paths.update(_nesting_templates(existing, deleted, config))
    return sorted(path for path in paths if os.path.lexists(path))
