"""Which Terraform folders are root modules, and which files each root's verdict reads.

A folder that a scanned folder calls (a local ``module`` source) is judged through its calls, as part
of its caller's unit: it is not a root and gets no verdict of its own with unknown inputs. A folder
nobody calls is a root; its unit holds its own files and those of every module it calls (local or
downloaded by ``terraform init``), so that the cache and pre-commit see them. Folders that only
call each other (a cycle) are roots each. Calls that cannot be read are listed for ``--verbose``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ...patterns import lazy_compile
from ...records import dataclass, field
from ..text.files import TextFile, read_text
from .files import Engine
from .module import load_module
from .module_sources import MAX_DEPTH, Sources, allowed_roots, folder_module_files, is_local, literal_argument

_CALLS = lazy_compile(r'(?m)^\s*module\s+"|"module"\s*:')


@dataclass(frozen=True)
class Call:
    name: str
    source: str | None
    file: str
    line: int


@dataclass
class Reach:
    """What a root module's calls reach: folders read, and calls not read (with why)."""

    folders: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)


class CallGraph:
    def __init__(self, roots: Sequence[str], max_bytes: int, engine: Engine | None) -> None:
        self.roots = roots
        self.max_bytes = max_bytes
        self.engine = engine
        self._calls: dict[str, list[Call]] = {}

    def calls(self, folder: str, files: Sequence[str] | None = None) -> list[Call]:
        """The ``module`` blocks of a folder, with their literal sources (read once per folder)."""
        if folder not in self._calls:
            members = list(files) if files is not None else folder_module_files(folder, self.allowed(folder))
            self._calls[folder] = self._read_calls(folder, members)
        return self._calls[folder]

    def allowed(self, folder: str) -> list[str]:
        return allowed_roots(folder, self.roots)

    def _read_calls(self, folder: str, files: list[str]) -> list[Call]:
        if not any(_mentions_calls(path, self.max_bytes) for path in files):
            return []
        module = load_module(folder, files, self.max_bytes, self.engine, root=False, calls_only=True)
        found = []
        for name in module.names_of("module"):
            block = module.named("module", name)
            if block is not None:
                found.append(Call(name, literal_argument(block, "source"), block.file, block.span.line))
        return found

    def local_callees(self, folder: str, files: Sequence[str]) -> set[str]:
        """The folders the folder's local ``module`` sources name (those that can be read)."""
        sources = Sources(folder, self.allowed(folder), self.max_bytes)
        targets = set()
        for call in self.calls(folder, files):
            if call.source is not None and is_local(call.source):
                resolved = sources.resolve(folder, call.name, call.source)
                if resolved.folder is not None:
                    targets.add(resolved.folder)
        return targets

    def reach(self, root: str, files: Sequence[str]) -> Reach:
        """Every folder the root's calls lead to, at most ``MAX_DEPTH`` levels down, and the calls not read."""
        sources = Sources(root, self.allowed(root), self.max_bytes)
        reach = Reach()
        self._walk(sources, root, files, "", 0, (os.path.realpath(root or "."),), reach)
        return reach

    def _walk(
        self,
        sources: Sources,
        folder: str,
        files: Sequence[str] | None,
        key: str,
        depth: int,
        chain: tuple[str, ...],
        reach: Reach,
    ) -> None:
        for call in self.calls(folder, files):
            call_key = f"{key}.{call.name}" if key else call.name
            resolved = sources.resolve(folder, call_key, call.source)
            where = f"{call.file}:{call.line}: module.{call_key} ({resolved.written})"
            if resolved.folder is None:
                reach.unread.append(f"{where} is not read: {resolved.reason}")
            elif os.path.realpath(resolved.folder) in chain:
                reach.unread.append(f"{where} is not read: {resolved.folder} calls itself")
            elif depth >= MAX_DEPTH:
                reach.unread.append(f"{where} is not read: more than {MAX_DEPTH} levels of module calls")
            else:
                if resolved.folder not in reach.folders:
                    reach.folders.append(resolved.folder)
                real = os.path.realpath(resolved.folder)
                self._walk(sources, resolved.folder, None, call_key, depth + 1, (*chain, real), reach)


def _mentions_calls(path: str, max_bytes: int) -> bool:
    text = read_text(path, max_bytes)
    return isinstance(text, TextFile) and _CALLS.search(text.text) is not None


def plan_roots(
    folders: dict[str, tuple[str, ...]], roots: Sequence[str], max_bytes: int, engine: Engine | None
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Root folder → the files of its unit (its own, then its called modules'), and the ``--verbose``
    notes on calls not read. ``folders``: each scanned Terraform folder's files."""
    graph = CallGraph(roots, max_bytes, engine)
    direct = {folder: graph.local_callees(folder, files) for folder, files in folders.items()}
    called = {target for folder, targets in direct.items() for target in targets if target != folder}
    chosen = [folder for folder in folders if folder not in called]
    reached: set[str] = set()
    units: dict[str, tuple[str, ...]] = {}
    notes: list[str] = []
    reaches = {folder: graph.reach(folder, folders[folder]) for folder in chosen}
    for reach in reaches.values():
        reached.update(reach.folders)
    left = sorted(called - reached)
    while left:  # folders that only call each other: the one that reaches most is a root
        candidates = {folder: graph.reach(folder, folders[folder]) for folder in left}
        folder = max(left, key=lambda name: len(candidates[name].folders))
        reaches[folder] = candidates[folder]
        reached.update(candidates[folder].folders)
        left = [name for name in left if name not in reached and name != folder]
    for folder, reach in reaches.items():
        extra = [path for child in reach.folders for path in _files_of(child, folders, graph)]
        units[folder] = folders[folder] + tuple(sorted(set(extra) - set(folders[folder])))
        notes.extend(reach.unread)
    return units, sorted(set(notes), key=_by_place)


def _by_place(note: str) -> tuple[str, int, str]:
    """A note on a call, ordered by its file, then its line as a number (line 7 before line 21)."""
    file, line, rest = (note.split(":", 2) + ["", ""])[:3]
    return (file, int(line), rest) if line.isdigit() else (note, 0, "")


def _files_of(folder: str, folders: dict[str, tuple[str, ...]], graph: CallGraph) -> Sequence[str]:
    return folders.get(folder) or folder_module_files(folder, graph.allowed(folder))
