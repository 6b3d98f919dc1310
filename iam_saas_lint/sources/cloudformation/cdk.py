"""CDK synth output: whether a ``cdk.out`` folder is a cloud assembly, and which files are its stack templates.

A folder is a cloud assembly only when it holds a ``manifest.json`` (a regular file); any other
folder named ``cdk.out`` is read as ordinary files, so that the name alone hides nothing. The
manifest lists the assembly's artifacts: those of type ``aws:cloudformation:stack`` name their
template (``properties.templateFile``), and nested assemblies (``cdk:cloud-assembly``, a CDK stage)
have a manifest of their own. Assets, the construct tree and the other manifests are not read.
Without a readable manifest, every ``*.template.json`` in the folder is taken.

Each assembly folder is read once, however many manifests point at it (one that points back at
``.`` or at its parent no longer multiplies the work by its fan-out at every level), and only
folders inside the top assembly are followed.
"""

from __future__ import annotations

import os
import stat

from ..text.files import TextFile, read_text
from ..text.jsonfile import MAX_FILE_NESTING, load_json

#: Nested assemblies followed below the top one (CDK stages nest one or two deep).
_MAX_ASSEMBLY_DEPTH = 8
#: Assembly folders read in one ``cdk.out`` (each at most once).
_MAX_ASSEMBLIES = 1000


def is_cloud_assembly(directory: str) -> bool:
    """A folder holding a regular ``manifest.json`` (checked without opening it: it may be a FIFO)."""
    try:
        return stat.S_ISREG(os.lstat(os.path.join(directory, "manifest.json")).st_mode)
    except OSError:
        return False


def _manifest(directory: str) -> tuple[list[str], list[str]] | None:
    """The stack templates and the nested assembly folders a manifest names; ``None`` if unreadable."""
    text = read_text(os.path.join(directory, "manifest.json"))  # bounded, and never a FIFO
    if not isinstance(text, TextFile):
        return None
    try:
        manifest = load_json(text.text, MAX_FILE_NESTING)
    except ValueError:
        return None
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if not isinstance(artifacts, dict):
        return None
    templates: list[str] = []
    nested: list[str] = []
    for artifact in artifacts.values():
        if not isinstance(artifact, dict) or not isinstance(artifact.get("properties"), dict):
            continue
        properties = artifact["properties"]
        if artifact.get("type") == "aws:cloudformation:stack" and isinstance(properties.get("templateFile"), str):
            templates.append(os.path.join(directory, properties["templateFile"]))
        elif artifact.get("type") == "cdk:cloud-assembly" and isinstance(properties.get("directoryName"), str):
            nested.append(os.path.join(directory, properties["directoryName"]))
    return templates, nested


def _inside(path: str, root: str) -> bool:
    return path.startswith(root.rstrip(os.sep) + os.sep)


def cdk_templates(directory: str) -> list[str] | None:
    """The stack templates of a cloud assembly folder (and its nested ones) that exist inside it;
    ``None`` when the folder is not a cloud assembly (its files are then read like any others)."""
    if not is_cloud_assembly(directory):
        return None
    root = os.path.realpath(directory)
    seen: set[str] = set()
    found: list[str] = []
    pending = [(directory, 0)]
    while pending and len(seen) < _MAX_ASSEMBLIES:
        folder, depth = pending.pop(0)
        real = os.path.realpath(folder)
        if real in seen or not (real == root or _inside(real, root)):
            continue
        seen.add(real)
        listed = _manifest(folder)
        if listed is None:
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            found.extend(os.path.join(folder, name) for name in names if name.endswith(".template.json"))
            continue
        templates, nested = listed
        found.extend(templates)
        if depth < _MAX_ASSEMBLY_DEPTH:
            pending.extend((path, depth + 1) for path in nested)
    kept: list[str] = []
    taken: set[str] = set()
    for path in found:  # each file once, under the first name that reaches it
        real = os.path.realpath(path)
        if real not in taken and _inside(real, root) and os.path.isfile(path):
            taken.add(real)
            kept.append(path)
    return kept
