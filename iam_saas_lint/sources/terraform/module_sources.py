"""Where a ``module`` call's source is, as ``terraform init`` would find it, without the network.

A local path (``./``, ``../``) is a folder of the tree, read only while it stays inside the allowed
roots (the repository the root module is in, else the scanned folders): a path or a link that
leads out is not followed. Any other source (the registry, git, S3, …) is read only where
``terraform init`` downloaded it: ``.terraform/modules/modules.json`` in the root module's folder
maps each call's key (``datadog``, ``a.b`` for call ``b`` inside call ``a``) to its folder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ...records import dataclass
from ..text.files import TextFile, note_missing, read_text
from ..text.jsonfile import load_json
from ..text.paths import display_path
from .files import is_module_file
from .syntax import Block, Literal, Template, TemplateText

MODULES_JSON = os.path.join(".terraform", "modules", "modules.json")
#: Levels of module calls read below a root module (Terraform sets none; real trees use three or four).
MAX_DEPTH = 8


@dataclass(frozen=True)
class Source:
    """A call's source: the folder to read, or why it is not read."""

    written: str
    folder: str | None
    reason: str = ""


def is_local(source: str) -> bool:
    return source.startswith(("./", "../", ".\\", "..\\"))


def inside(path: str, roots: Sequence[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def allowed_roots(directory: str, scanned: Sequence[str]) -> list[str]:
    """Where called modules may be read from: the repository the root module is in, else the scanned
    folders and the root module's own folder."""
    from ..text.files import repository_root

    repository = repository_root(directory or ".")
    if repository is not None:
        return [os.path.realpath(repository)]
    return [os.path.realpath(root) for root in (*scanned, directory or ".")]


class Sources:
    """Resolves the calls of one root module and of the modules below it."""

    def __init__(self, root_directory: str, roots: Sequence[str], max_bytes: int) -> None:
        self.root_directory = root_directory
        self.roots = list(roots)
        self.max_bytes = max_bytes
        self._downloaded: dict[str, str] | str | None = None

    def resolve(self, caller_directory: str, key: str, source: object) -> Source:
        if not isinstance(source, str) or not source:
            return Source(str(source), None, "its source is not a literal string")
        if is_local(source):
            folder = display_path(os.path.normpath(os.path.join(caller_directory or ".", source)))
            return self._folder(source, folder)
        downloaded = self.downloaded()
        if isinstance(downloaded, str):
            return Source(source, None, downloaded)
        found = downloaded.get(key)
        if found is None:
            return Source(source, None, f"not downloaded: {self._manifest()} does not list module key {key!r}")
        folder = display_path(os.path.normpath(os.path.join(self.root_directory or ".", found)))
        return self._folder(source, folder)

    def _folder(self, source: str, folder: str) -> Source:
        if not inside(folder, self.roots):
            return Source(source, None, f"{folder} is outside the scanned repository: not followed")
        if not os.path.isdir(folder):
            note_missing(folder)
            return Source(source, None, f"{folder} is not a folder")
        return Source(source, folder)

    def _manifest(self) -> str:
        return display_path(os.path.join(self.root_directory or ".", MODULES_JSON))

    def downloaded(self) -> dict[str, str] | str:
        """Call key → folder, from ``modules.json``; or why there is none to read."""
        if self._downloaded is None:
            self._downloaded = self._read_manifest()
        return self._downloaded

    def _read_manifest(self) -> dict[str, str] | str:
        path = os.path.join(self.root_directory or ".", MODULES_JSON)
        shown = display_path(path)
        if not os.path.isfile(path) or not inside(path, self.roots):
            note_missing(path)
            return f"not downloaded ({shown} does not exist: run terraform init)"
        text = read_text(path, self.max_bytes)
        if not isinstance(text, TextFile):
            return f"{shown} cannot be read"
        try:
            data = load_json(text.text)
        except ValueError as error:
            return f"{shown} is not valid JSON ({error})"
        entries = data.get("Modules") if isinstance(data, dict) else None
        found: dict[str, str] = {}
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
                found[entry["Key"]] = entry["Dir"]
        return found


def folder_module_files(folder: str, roots: Sequence[str]) -> list[str]:
    """The Terraform files of a called module's folder: regular files that stay inside the roots."""
    try:
        names = sorted(os.listdir(folder or "."))
    except OSError:
        return []
    files = []
    for name in names:
        path = os.path.join(folder, name)
        if is_module_file(name) and os.path.isfile(path) and inside(path, roots):
            files.append(path)
        elif is_module_file(name):
            note_missing(path)
    return files


def literal_argument(block: Block, name: str) -> str | None:
    """An argument written as a plain string (a call's ``source`` must be one)."""
    node = block.body.attributes.get(name)
    if node is None:
        return None
    expr = node.expr
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(part, str) for part in expr.parts):
        return "".join(str(part) for part in expr.parts)
    if isinstance(expr, TemplateText) and "${" not in expr.text and "%{" not in expr.text:
        return expr.text
    return None
