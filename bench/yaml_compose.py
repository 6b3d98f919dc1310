"""Would libyaml's composed node tree give YAML positions faster than the event walk? Measured, not used.

    python bench/yaml_compose.py [CORPUS]

Loads every YAML file of the corpus twice in this process: with ``load_yaml`` (parser events, the
reader's way) and by composing the node tree in C and feeding its nodes to the same builder (which
gives the same data, positions and issues; aliases share nodes, so such files would fall back to
events). Prints CPU time of each and how many files agree. On the project's corpus (578 files) the
composed tree was slower (1.0 s against 0.8 s): the builder's work per node, not the parse, is what
costs, so the reader keeps the events.
"""

import contextlib
import glob
import os
import sys
import time
from pathlib import Path

import yaml

from iam_saas_lint.sources.text import yaml_positions as yp


class Shim:
    __slots__ = ("anchor", "end_mark", "implicit", "start_mark", "style", "tag", "value")


def compose_load(text):
    loader = yp._loader_class()(text)
    from yaml.nodes import MappingNode, ScalarNode

    def resolve(value):
        return str(loader.resolve(ScalarNode, value, (True, False)))

    documents = []
    nodes = 0
    try:
        while loader.check_node():
            root = loader.get_node()
            b = yp._Builder(text, resolve, nodes)
            seen = set()
            # iterative: stack of (kind, node, iterator)
            stack = [("node", root)]
            while stack:
                kind, item = stack.pop()
                if kind == "end":
                    ev = Shim()
                    ev.end_mark = item.end_mark
                    b.end(ev)
                    continue
                node = item
                if id(node) in seen:
                    return None
                seen.add(id(node))
                ev = Shim()
                ev.tag = node.tag
                ev.anchor = None
                ev.start_mark = node.start_mark
                ev.end_mark = node.end_mark
                if isinstance(node, ScalarNode):
                    ev.value = node.value
                    ev.implicit = (False, False)
                    ev.style = node.style
                    b.scalar(ev)
                elif isinstance(node, MappingNode):
                    b.start(ev, {})
                    stack.append(("end", node))
                    for k, v in reversed(node.value):
                        stack.append(("node", v))
                        stack.append(("node", k))
                else:
                    b.start(ev, [])
                    stack.append(("end", node))
                    for v in reversed(node.value):
                        stack.append(("node", v))
            documents.append(yp.YamlDocument(b.root, yp.YamlLocations(b.spans), b.issues))
            nodes = b.nodes
    except (yaml.YAMLError, yp.YamlError):
        return None
    finally:
        loader.dispose()
    return documents


CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus")
files = [
    f
    for pattern in ("**/*.y*ml", "**/*.template")
    for f in glob.glob(os.path.join(CORPUS, pattern), recursive=True)
    if os.path.isfile(f)
]
texts = []
for f in files:
    with contextlib.suppress(Exception):
        texts.append(Path(f).read_text(encoding="utf-8"))
print(len(texts))


def run(fn):
    out = []
    t = time.process_time()
    for tx in texts:
        try:
            out.append(fn(tx))
        except yp.YamlError as e:
            out.append(("err", e.message))
    return time.process_time() - t, out


for _ in range(2):
    a_t, a = run(yp.load_yaml)
    b_t, b = run(compose_load)
    print(f"events {a_t:.3f}s compose {b_t:.3f}s")
same = diff = fb = 0
for x, y in zip(a, b, strict=False):
    if y is None:
        fb += 1
        continue
    if isinstance(x, tuple):
        diff += 1
        continue
    ok = len(x) == len(y) and all(
        d1.data == d2.data and d1.locations._spans == d2.locations._spans and d1.issues == d2.issues
        for d1, d2 in zip(x, y, strict=False)
    )
    same += ok
    diff += not ok
print("same", same, "diff", diff, "fallback", fb)
