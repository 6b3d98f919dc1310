"""Terraform's JSON syntax (``.tf.json``, ``.tofu.json``): not read yet."""

from __future__ import annotations

from ...model.document import Problem
from ..text.files import TextFile
from .front import PendingBlock


def json_blocks(text: TextFile, max_bytes: int) -> list[PendingBlock] | Problem:
    return []
