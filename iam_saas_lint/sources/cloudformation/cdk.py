"""CDK synth output: which files of a ``cdk.out`` folder are stack templates.

``cdk.out/manifest.json`` lists the cloud assembly's artifacts; those of type
``aws:cloudformation:stack`` name their template (``properties.templateFile``) and nested
assemblies (``cdk:cloud-assembly``, a CDK stage) have a manifest of their own. Assets, the
construct tree and the other manifests are not read. Without a readable manifest, every
``*.template.json`` in the folder is taken.
"""

from __future__ import annotations

import os

from ..text.files import TextFile, read_text
from ..text.jsonfile import MAX_FILE_NESTING, load_json

_MAX_ASSEMBLY_DEPTH = 8


def _manifest_templates(directory: str, depth: int) -> list[str] | None:
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
    found: list[str] = []
    for artifact in artifacts.values():
        if not isinstance(artifact, dict) or not isinstance(artifact.get("properties"), dict):
            continue
        properties = artifact["properties"]
        if artifact.get("type") == "aws:cloudformation:stack" and isinstance(properties.get("templateFile"), str):
            found.append(os.path.join(directory, properties["templateFile"]))
        elif (
            artifact.get("type") == "cdk:cloud-assembly"
            and isinstance(properties.get("directoryName"), str)
            and depth < _MAX_ASSEMBLY_DEPTH
        ):
            found.extend(cdk_templates(os.path.join(directory, properties["directoryName"]), depth + 1))
    return found


def cdk_templates(directory: str, depth: int = 0) -> list[str]:
    """The stack templates of a cloud assembly folder that exist inside it."""
    found = _manifest_templates(directory, depth)
    if found is None:
        try:
            found = [os.path.join(directory, n) for n in sorted(os.listdir(directory)) if n.endswith(".template.json")]
        except OSError:
            return []
    root = os.path.realpath(directory)
    return [
        path
        for path in found
        if os.path.isfile(path) and os.path.realpath(path).startswith(root.rstrip(os.sep) + os.sep)
    ]
