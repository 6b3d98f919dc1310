"""The declarations of one Terraform module: every file of a folder, parsed once, read together.

Each file is parsed whole; its top-level blocks are indexed by what they declare and turned into
``syntax`` nodes only when the evaluator looks one of those names up (a folder of a hundred files
holds mostly instances, buckets and networks that never matter to an IAM verdict).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from ...model.document import Problem, Suppression
from ...model.values import Span
from ...records import dataclass, field
from ..text.comments import comment_suppressions
from ..text.files import TextFile, note_missing, read_text
from ..text.jsonfile import MAX_FILE_NESTING, load_json
from .files import Engine, is_json_syntax, module_files
from .front import Given, native_variables, read_file_blocks
from .overrides import attach_overrides, is_override_file, split_files
from .syntax import Attribute, Block, PendingBlock

T = TypeVar("T")


@dataclass
class Declaration:
    """A resource or data source block."""

    mode: str  # "resource" | "data" | "module" (a module call: type "module")
    type: str
    name: str
    block: Block
    #: The module instance it is read in: empty in the root module, else ``module.vendor["prod"].``.
    module: str = ""

    @property
    def file(self) -> str:
        return self.block.file

    @property
    def address(self) -> str:
        return self.module + _address(self.mode, self.type, self.name)


def _address(mode: str, type_name: str, name: str) -> str:
    """A resource's or data source's address within its module (``aws_iam_role.r``, ``data.x.y``)."""
    return f"{'data.' if mode == 'data' else ''}{type_name}.{name}"


@dataclass
class Module:
    directory: str
    files: list[str]
    problems: list[Problem] = field(default_factory=list)
    declarations: dict[tuple[str, str, str], list[Declaration]] = field(default_factory=lambda: defaultdict(list))
    variables: dict[str, list[Block]] = field(default_factory=lambda: defaultdict(list))
    locals: dict[str, list[tuple[Attribute, str]]] = field(default_factory=lambda: defaultdict(list))
    provider_blocks: dict[str, list[Block]] = field(default_factory=lambda: defaultdict(list))
    #: ``module`` calls and ``output`` blocks, by kind and name.
    named_blocks: dict[tuple[str, str], list[Block]] = field(default_factory=lambda: defaultdict(list))
    #: Variable values from terraform.tfvars and *.auto.tfvars (later files win).
    tfvars: dict[str, Given] = field(default_factory=dict)
    #: Blocks not read yet, by what they may declare: ``resource aws_iam_role``, ``variable name``, …
    index: dict[str, list[PendingBlock]] = field(default_factory=lambda: defaultdict(list))
    #: ``# iam-saas-lint: ignore[...]`` comments in the module's files.
    suppressions: list[Suppression] = field(default_factory=list)
    #: Which tool's way of loading a folder was followed, and why (said in --verbose).
    engine: Engine = "terraform"
    #: True when some file holds a block.
    has_blocks: bool = False
    _read: set[int] = field(default_factory=set)
    #: Resources and data sources declared twice whose copies were reported before being converted.
    _reported_twice: set[tuple[str, str, str]] = field(default_factory=set)
    #: The keys of ``declarations`` by mode and type, in the order they were declared.
    _of_type: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))

    def convert(self, name: str) -> None:
        """Turn the blocks not read yet that may declare ``name`` into nodes, and collect them."""
        for pending in self.index.pop(name, []):
            if id(pending) in self._read:
                continue
            self._read.add(id(pending))
            block = pending.convert()
            if isinstance(block, Problem):
                if block not in self.problems:  # a file read block by block: its first error, once
                    self.problems.append(block)
            else:
                _collect(self, block)

    def by_type(self, mode: str, type_name: str) -> list[Declaration]:
        self.convert(f"{mode} {type_name}")
        return [d for key in self._of_type.get((mode, type_name), []) for d in self.declarations[key]]

    def find(self, mode: str, type_name: str, name: str, file: str) -> Declaration | None:
        """The declaration, preferring one in ``file`` when a (broken) module declares it twice."""
        self.convert(f"{mode} {type_name} {name}")
        return _prefer(self.declarations.get((mode, type_name, name), []), file, lambda d: d.file)

    def variable(self, name: str, file: str) -> Block | None:
        self.convert(f"variable {name}")
        return _prefer(self.variables.get(name, []), file, lambda b: b.file)

    def local(self, name: str, file: str) -> tuple[Attribute, str] | None:
        self.convert(f"local {name}")
        return _prefer(self.locals.get(name, []), file, lambda entry: entry[1])

    def providers(self, name: str) -> list[Block]:
        self.convert(f"provider {name}")
        return list(self.provider_blocks.get(name, []))

    def named(self, kind: str, name: str) -> Block | None:
        """The ``module`` call or ``output`` named so (the first, when a broken module repeats it)."""
        self.convert(f"{kind} {name}")
        found = self.named_blocks.get((kind, name), [])
        return found[0] if found else None

    def names_of(self, kind: str) -> list[str]:
        """The names of every ``module`` call (or ``output``) of the module."""
        self.convert(kind)
        return sorted({name for (k, name), found in self.named_blocks.items() if k == kind and found})

    def add_pending(self, pending: PendingBlock) -> None:
        self.has_blocks = True
        kind, labels = pending.kind, pending.labels
        if kind in ("resource", "data") and len(labels) == 2:
            self.index[f"{kind} {labels[0]}"].append(pending)
            self.index[f"{kind} {labels[0]} {labels[1]}"].append(pending)
        elif kind == "variable" and len(labels) == 1:
            self.index[f"variable {labels[0]}"].append(pending)
        elif kind == "provider" and len(labels) == 1:
            self.index[f"provider {labels[0]}"].append(pending)
        elif kind == "locals":
            for name in pending.names:
                self.index[f"local {name}"].append(pending)
        elif kind in ("module", "output") and len(labels) == 1:
            self.index[kind].append(pending)
            self.index[f"{kind} {labels[0]}"].append(pending)


#: Index keys of the blocks read up front (IAM resources and data sources).
_EAGER = ("resource aws_iam_", "data aws_iam_")


def _family(path: str) -> str:
    name = os.path.basename(path)
    return name.split("__", 1)[0] if "__" in name else ""


def _prefer(found: list[T], file: str, file_of: Callable[[T], str]) -> T | None:
    """One of several declarations of a name (a broken module): the same file's, else its family's.

    Files copied from several modules into one folder are often prefixed ``<module>__``; a file
    then refers to its own family's declarations.
    """
    if not found:
        return None
    for item in found:
        if file_of(item) == file:
            return item
    for item in found:
        if _family(file_of(item)) == _family(file):
            return item
    return found[0]


def _duplicate(module: Module, what: str, span: Span, first_file: str, first: Span) -> None:
    where = first_file if first_file != span.file else "this file"
    module.problems.append(
        Problem(
            span.file or "",
            f"{what} is declared twice (also at {where}:{first.line}): Terraform rejects the module; "
            "both copies are read, each file preferring its own",
            span,
        )
    )


def _collect(module: Module, block: Block) -> None:
    if block.kind in ("resource", "data") and len(block.labels) == 2:
        declaration = Declaration(block.kind, block.labels[0], block.labels[1], block)
        key = (block.kind, block.labels[0], block.labels[1])
        if key not in module.declarations:
            module._of_type[key[:2]].append(key)
        previous = module.declarations[key]
        if previous and key not in module._reported_twice:
            _duplicate(module, declaration.address, block.span, previous[0].file, previous[0].block.span)
        previous.append(declaration)
    elif block.kind == "variable" and len(block.labels) == 1:
        previous_vars = module.variables[block.labels[0]]
        if previous_vars:
            first = previous_vars[0]
            _duplicate(module, f"variable {block.labels[0]!r}", block.span, first.file, first.span)
        previous_vars.append(block)
    elif block.kind == "provider" and len(block.labels) == 1:
        module.provider_blocks[block.labels[0]].append(block)
    elif block.kind == "locals":
        overriding = is_override_file(block.file)
        for name, attribute in block.body.attributes.items():
            previous_locals = module.locals[name]
            if overriding:
                _override_local(module, name, attribute, block.file)
            elif previous_locals:
                node, first_file = previous_locals[0]
                _duplicate(module, f"local {name!r}", attribute.span, first_file, node.span)
            previous_locals.append((attribute, block.file))
    elif block.kind in ("module", "output") and len(block.labels) == 1:
        previous_named = module.named_blocks[(block.kind, block.labels[0])]
        if previous_named:
            first = previous_named[0]
            _duplicate(module, f"{block.kind} {block.labels[0]!r}", block.span, first.file, first.span)
        previous_named.append(block)


def _override_local(module: Module, name: str, attribute: Attribute, file: str) -> None:
    """An override file's local replaces the module's local of that name (Terraform: value by value)."""
    if not module.locals[name]:
        message = f"local {name!r} in an override file overrides no local of the module: Terraform rejects the module"
        module.problems.append(Problem(file, message, attribute.span))
        return
    module.locals[name] = [(attribute, file)]


def _names_one_object(key: str) -> bool:
    """An index key naming one declaration (``variable x``, ``local x``, ``resource t n``), not a type."""
    kind = key.split(" ", 1)[0]
    return key.count(" ") == (2 if kind in ("resource", "data") else 1)


def _report_twice_unconverted(module: Module, key: str) -> bool:
    """A resource or data source declared twice, reported from where its copies are (as converting
    them would report it): most such copies are never looked up, and converting is most of their cost."""
    found = module.index[key]
    kind, *labels = key.split(" ")
    if kind not in ("resource", "data") or any(id(p) in module._read or p.span is None for p in found):
        return False
    first = found[0].span
    assert first is not None
    for pending in found[1:]:
        assert pending.span is not None
        _duplicate(module, _address(kind, labels[0], labels[1]), pending.span, found[0].file, first)
    module._reported_twice.add((kind, labels[0], labels[1]))
    return True


def _tfvars_files(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory or "."))
    except OSError:
        return []
    ordered: list[str] = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    ordered += [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    return [os.path.join(directory, name) for name in ordered]


def _read_tfvars(module: Module, path: str, max_bytes: int) -> None:
    if not os.path.isfile(path) or os.path.islink(path):
        note_missing(path)
        return
    text = read_text(path, max_bytes)
    if not isinstance(text, TextFile):
        if isinstance(text, Problem):
            module.problems.append(text)
        return
    if path.endswith(".json"):
        try:
            data = load_json(text.text, MAX_FILE_NESTING)
        except ValueError as error:
            module.problems.append(Problem(path, f"invalid JSON in a variables file: {error}", Span(1, 1, 1, 1)))
            return
        if isinstance(data, dict):
            for name, value in data.items():
                module.tfvars[str(name)] = (value, path, None)
        return
    found = native_variables(text, max_bytes)
    if isinstance(found, Problem):
        module.problems.append(found)
        return
    for name, convert in found.items():
        attribute = convert()  # now, so that a value that cannot be read is reported whether used or not
        if isinstance(attribute, Problem):
            module.problems.append(attribute)
        else:
            module.tfvars[name] = (None, path, attribute)


def _file_blocks(module: Module, files: list[str], max_bytes: int, calls_only: bool) -> list[PendingBlock]:
    found_blocks: list[PendingBlock] = []
    for path in files:
        text = read_text(path, max_bytes)
        if not isinstance(text, TextFile):
            if isinstance(text, Problem):
                module.problems.append(text)
            continue
        if calls_only and "module" not in text.text:
            continue  # it cannot hold a module call
        if not is_json_syntax(path):
            module.suppressions.extend(comment_suppressions(path, text.text))
        found = read_file_blocks(text, max_bytes, keep=calls_only)  # planning: the unit reads it next
        if isinstance(found, Problem):
            module.problems.append(found)
            continue
        found_blocks.extend(found)
    return found_blocks


def load_module(
    directory: str,
    files: list[str],
    max_bytes: int,
    engine: Engine | None = None,
    root: bool = True,
    calls_only: bool = False,
) -> Module:
    """The module of a folder's files, loaded as ``engine`` (else as OpenTofu when it holds .tofu files).

    Only a root module reads ``terraform.tfvars`` and ``*.auto.tfvars``; a called module gets its
    variables from the call. ``calls_only``: for finding the module's ``module`` calls (planning which
    folders are roots), only the files that can hold one are read and nothing is converted up front."""
    chosen = module_files(files, engine)
    module = Module(directory, list(chosen.files), engine=chosen.engine)
    primary_files, override_files = split_files(chosen.files)
    primary = _file_blocks(module, primary_files, max_bytes, calls_only)
    overriding = _file_blocks(module, override_files, max_bytes, calls_only)
    override_locals = attach_overrides(primary, overriding)
    for item in [*primary, *override_locals]:
        if isinstance(item, Problem):
            module.problems.append(item)
        else:
            module.add_pending(item)
    if calls_only:
        return module
    for item in override_locals:
        for name in item.names if isinstance(item, PendingBlock) else ():
            module.convert(f"local {name}")  # now: an override of no local is reported whether used or not
    for key in [key for key in module.index if key.startswith(_EAGER) and key.count(" ") == 1]:
        module.convert(key)  # IAM blocks now: the verdicts need them, and their problems are reported
    for key in [key for key, found in module.index.items() if len(found) > 1 and _names_one_object(key)]:
        if not _report_twice_unconverted(module, key):
            module.convert(key)  # declared twice: reported whether the evaluation looks the name up or not
    for path in _tfvars_files(directory) if root else []:
        _read_tfvars(module, path, max_bytes)
    return module
