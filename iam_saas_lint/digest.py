"""SHA-256 of short texts (statement identities, finding fingerprints) without loading OpenSSL.

``hashlib`` loads OpenSSL's library when imported: about a tenth of a one-file run with findings.
The interpreter's built-in SHA-256 (``_sha256`` in CPython 3.10 and 3.11, ``_sha2`` from 3.12)
gives the same digests at no import cost, but is slower on each call, so once a run has asked for
``_BUILT_IN_CALLS`` digests (or something else has imported ``hashlib``) ``hashlib`` serves the rest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import _Hash

#: Where OpenSSL's faster digests outweigh what loading it costs (measured: about 300 digests).
_BUILT_IN_CALLS = 256

#: The built-in constructor once looked for (empty when the interpreter has none).
_built_in: list[Callable[[bytes], _Hash]] | None = None
_calls = 0


def _built_in_sha256() -> list[Callable[[bytes], _Hash]]:
    for name in ("_sha256", "_sha2"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        if hasattr(module, "sha256"):
            return [module.sha256]
    return []


def sha256_hex(data: bytes) -> str:
    """The hexadecimal SHA-256 digest of ``data``."""
    global _built_in, _calls
    _calls += 1
    if _calls <= _BUILT_IN_CALLS and "_hashlib" not in sys.modules:
        if _built_in is None:
            _built_in = _built_in_sha256()
        if _built_in:
            return _built_in[0](data).hexdigest()
    import hashlib

    return hashlib.sha256(data).hexdigest()
