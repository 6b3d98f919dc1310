"""The declarations of one Terraform module: every ``.tf`` file of a folder, parsed once, read together."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ...model.document import Problem, Suppression
from ...model.values import Span
from ..text.comments import comment_suppressions
from ..text.files import TextFile, looks_like_iam, note_missing, read_text
from ..text.jsonfile import MAX_FILE_NESTING, load_json
from .blocks import padded, split
from .hcl import ParseError, hcl_budget, parse_hcl, structural_count

Node = Any  # a python-hcl2 rule object
T = TypeVar("T")


def span_of(node: Node, file: str) -> Span:
    meta = getattr(node, "_meta", None)
    line = getattr(meta, "line", None)
    if not isinstance(line, int):
        return Span(1, 1, 1, 1, file)
    column = getattr(meta, "column", 1)
    end_line = getattr(meta, "end_line", line)
    end_column = getattr(meta, "end_column", column)
    return Span(line, column, end_line, end_column, file)


def unquote(label: Node) -> str:
    """A block label (an identifier or a quoted string without interpolation) as text."""
    if type(label).__name__ == "IdentifierRule":
        return str(label.token.value)
    parts = getattr(label, "string_parts", [])
    return "".join(str(part.content.value) for part in parts if hasattr(part.content, "value"))


@dataclass
class Body:
    """The attributes and nested blocks of a block (or of a file)."""

    file: str
    node: Node
    attributes: dict[str, Node] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, kind: str) -> list[Block]:
        return [block for block in self.blocks if block.kind == kind]


@dataclass
class Block:
    kind: str
    labels: tuple[str, ...]
    node: Node
    body: Body

    @property
    def file(self) -> str:
        return self.body.file

    def span(self) -> Span:
        return span_of(self.node, self.body.file)


def read_body(node: Node, file: str) -> Body:
    body = Body(file, node)
    for child in node.children:
        name = type(child).__name__
        if name == "AttributeRule":
            body.attributes[str(child.identifier.token.value)] = child
        elif name == "BlockRule":
            labels = child.labels
            kind = unquote(labels[0])
            body.blocks.append(
                Block(kind, tuple(unquote(label) for label in labels[1:]), child, read_body(child.body, file))
            )
    return body


@dataclass
class Declaration:
    """A resource or data source block."""

    mode: str  # "resource" | "data"
    type: str
    name: str
    block: Block

    @property
    def file(self) -> str:
        return self.block.file

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


@dataclass
class Module:
    directory: str
    files: list[str]
    bodies: list[Body] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    declarations: dict[tuple[str, str, str], list[Declaration]] = field(default_factory=lambda: defaultdict(list))
    variables: dict[str, list[Block]] = field(default_factory=lambda: defaultdict(list))
    locals: dict[str, list[tuple[Node, str]]] = field(default_factory=lambda: defaultdict(list))
    #: Variable values from terraform.tfvars and *.auto.tfvars (later files win), with their file.
    tfvars: dict[str, tuple[object, str, Node | None]] = field(default_factory=dict)
    #: Blocks (or whole files) not parsed yet, by file and block number: parsed when a name they may
    #: declare is looked up.
    pending: dict[tuple[str, int], TextFile] = field(default_factory=dict)
    #: Each file's text, for a whole-file parse when one of its blocks does not parse alone.
    texts: dict[str, TextFile] = field(default_factory=dict)
    #: Blocks read so far, by file: (kind, labels, line).
    read_blocks: dict[str, set[tuple[str, tuple[str, ...], int]]] = field(default_factory=lambda: defaultdict(set))
    #: Files parsed whole.
    whole: set[str] = field(default_factory=set)
    #: Blocks not read yet, by what they may declare: ``resource aws_iam_role``, ``variable name``, …
    index: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    #: ``# iam-saas-lint: ignore[...]`` comments in the module's files.
    suppressions: list[Suppression] = field(default_factory=list)
    #: How much HCL one file may hold (see ``hcl_budget``).
    budget: int | None = None

    def add(self, text_file: TextFile, block: bool = False) -> None:
        """Parse a file, or one block of it (``block``), and read its declarations."""
        if text_file.path in self.whole:
            return
        parsed = parse_file(text_file, self.budget)
        if isinstance(parsed, Problem) and block:
            self._add_whole(text_file.path)  # the block may have been cut wrong: the file decides
        elif isinstance(parsed, Problem):
            self.problems.append(parsed)
        elif parsed is not None:
            self.bodies.append(parsed)
            _collect(self, parsed)

    def _add_whole(self, path: str) -> None:
        self.whole.add(path)
        for key in [key for key in self.pending if key[0] == path]:
            del self.pending[key]
        parsed = parse_file(self.texts[path], self.budget)
        if isinstance(parsed, Problem):
            self.problems.append(parsed)
        elif parsed is not None:
            self.bodies.append(parsed)
            _collect(self, parsed)

    def _parse_pending(self, pattern: str) -> None:
        """Parse the whole files not read yet whose text matches ``pattern``."""
        compiled = re.compile(pattern)
        for key, text_file in list(self.pending.items()):
            if key in self.pending and key[1] < 0 and compiled.search(text_file.text):
                del self.pending[key]
                self.add(text_file)

    def _parse_indexed(self, name: str) -> None:
        """Parse the blocks not read yet that may declare ``name`` (``resource aws_iam_role x``, …)."""
        for key in self.index.pop(name, []):
            unit = self.pending.pop(key, None)
            if unit is not None:
                self.add(unit, block=True)

    def by_type(self, mode: str, type_name: str) -> list[Declaration]:
        self._parse_indexed(f"{mode} {type_name}")
        self._parse_pending(rf'\b{mode}\s+"?{re.escape(type_name)}"?\s')
        return [d for (m, t, _), found in self.declarations.items() if m == mode and t == type_name for d in found]

    def find(self, mode: str, type_name: str, name: str, file: str) -> Declaration | None:
        """The declaration, preferring one in ``file`` when a (broken) module declares it twice."""
        key = (mode, type_name, name)
        self._parse_indexed(f"{mode} {type_name} {name}")
        if key not in self.declarations:
            self._parse_pending(rf'\b{mode}\s+"?{re.escape(type_name)}"?\s+"?{re.escape(name)}"?\s*\{{')
        return _prefer(self.declarations.get(key, []), file, lambda d: d.file)

    def variable(self, name: str, file: str) -> Block | None:
        self._parse_indexed(f"variable {name}")
        if name not in self.variables:
            self._parse_pending(rf'\bvariable\s+"?{re.escape(name)}"?\s*\{{')
        return _prefer(self.variables.get(name, []), file, lambda b: b.file)

    def local(self, name: str, file: str) -> tuple[Node, str] | None:
        self._parse_indexed(f"local {name}")
        if name not in self.locals:
            self._parse_pending(rf"(?s)\blocals\b.*\b{re.escape(name)}\s*=")
        return _prefer(self.locals.get(name, []), file, lambda entry: entry[1])


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


def _duplicate(module: Module, what: str, block_span: Span, first_file: str, first: Span) -> None:
    where = first_file if first_file != block_span.file else "this file"
    module.problems.append(
        Problem(
            block_span.file or "",
            f"{what} is declared twice (also at {where}:{first.line}): Terraform rejects the module; "
            "both copies are read, each file preferring its own",
            block_span,
        )
    )


def _collect(module: Module, body: Body) -> None:
    for block in body.blocks:
        seen = module.read_blocks[block.file]
        identity = (block.kind, block.labels, block.span().line)
        if identity in seen:
            continue  # read from its own text before the file had to be parsed whole
        seen.add(identity)
        if block.kind in ("resource", "data") and len(block.labels) == 2:
            declaration = Declaration(block.kind, block.labels[0], block.labels[1], block)
            key = (block.kind, block.labels[0], block.labels[1])
            previous = module.declarations[key]
            if previous:
                _duplicate(module, declaration.address, block.span(), previous[0].file, previous[0].block.span())
            previous.append(declaration)
        elif block.kind == "variable" and len(block.labels) == 1:
            previous_vars = module.variables[block.labels[0]]
            if previous_vars:
                first = previous_vars[0]
                _duplicate(module, f"variable {block.labels[0]!r}", block.span(), first.file, first.span())
            previous_vars.append(block)
        elif block.kind == "locals":
            for name, attribute in block.body.attributes.items():
                previous_locals = module.locals[name]
                if previous_locals:
                    node, first_file = previous_locals[0]
                    _duplicate(
                        module, f"local {name!r}", span_of(attribute, block.file), first_file, span_of(node, first_file)
                    )
                previous_locals.append((attribute, block.file))


_HEREDOC_START = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*$", re.MULTILINE)


def _trim_heredoc_markers(text: str) -> str:
    """Terraform trims a heredoc's closing line before comparing it with the marker; python-hcl2 does
    not, so a marker with trailing blanks would run the heredoc on to a later marker (silently
    swallowing the blocks in between) or to the end of the file. Trim those lines first."""
    markers = set(_HEREDOC_START.findall(text))
    if not markers:
        return text
    pattern = re.compile(rf"^([ \t]*(?:{'|'.join(map(re.escape, sorted(markers)))}))[ \t]+$", re.MULTILINE)
    return pattern.sub(r"\1", text)


def parse_file(text_file: TextFile, budget: int | None = None) -> Body | Problem | None:
    tree = parse_hcl(_trim_heredoc_markers(text_file.text), budget)
    if isinstance(tree, ParseError):
        if not looks_like_iam(text_file.text) and "assume_role_policy" not in text_file.text:
            return None
        return Problem(text_file.path, tree.message, tree.span)
    return read_body(tree.body, text_file.path)


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
    tree = parse_hcl(text.text, hcl_budget(max_bytes))
    if isinstance(tree, ParseError):
        module.problems.append(Problem(path, tree.message, tree.span))
        return
    body = read_body(tree.body, path)
    for name, attribute in body.attributes.items():
        module.tfvars[name] = (None, path, attribute)


#: Files that mention these are parsed up front; the others only when they may declare a name in use.
_EAGER = ("aws_iam_", "assume_role_policy")


_LABEL = re.compile(r'"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w-]*)')
_ATTRIBUTE = re.compile(r"(?:^|[{\n,])[ \t]*([A-Za-z_][\w-]*)[ \t]*=(?!=)", re.MULTILINE)
_IAM_HEADER = re.compile(r'^(?:resource|data)\s+"?aws_iam_')


def _lookup_names(header: str, text: str) -> list[str]:
    """What a block may declare, as ``Module.index`` keys."""
    parts = [quoted or bare for quoted, bare in _LABEL.findall(header)]
    if parts[:1] in (["resource"], ["data"]) and len(parts) == 3:
        return [f"{parts[0]} {parts[1]}", f"{parts[0]} {parts[1]} {parts[2]}"]
    if parts[:1] == ["variable"] and len(parts) == 2:
        return [f"variable {parts[1]}"]
    if parts == ["locals"]:
        return [f"local {name}" for name in dict.fromkeys(_ATTRIBUTE.findall(text))]
    return []  # outputs, providers, module calls: nothing the evaluator looks up


def _load_file(module: Module, text: TextFile) -> None:
    """Parse the IAM blocks of a file now; index the others, to be parsed if a name they declare is used."""
    blocks = None
    if module.budget is None or structural_count(text.text) <= module.budget:  # else parse_hcl reports it
        blocks = split(text.text)
    if blocks is None:
        if any(marker in text.text for marker in _EAGER):
            module.add(text)
        else:
            module.pending[(text.path, -1)] = text
        return
    for number, block in enumerate(blocks):
        unit = TextFile(text.path, padded(text.text, block))
        if _IAM_HEADER.match(block.header) or "assume_role_policy" in unit.text:
            module.add(unit, block=True)
            continue
        module.pending[(text.path, number)] = unit
        for name in _lookup_names(block.header, unit.text):
            module.index[name].append((text.path, number))


def load_module(directory: str, files: list[str], max_bytes: int) -> Module:
    module = Module(directory, list(files), budget=hcl_budget(max_bytes))
    for path in files:
        text = read_text(path, max_bytes)
        if isinstance(text, TextFile):
            module.suppressions.extend(comment_suppressions(path, text.text))
        if not isinstance(text, TextFile):
            if isinstance(text, Problem):
                module.problems.append(text)
            continue
        module.texts[path] = text
        _load_file(module, text)
    for path in _tfvars_files(directory):
        _read_tfvars(module, path, max_bytes)
    return module
