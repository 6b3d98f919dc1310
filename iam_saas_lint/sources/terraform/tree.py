"""Reading a root module with the modules it calls into roles (see ``calls``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...model.document import Inventory, Role, unreadable_template_role
from ...model.values import Anchor, Unknown
from ...records import replace
from .calls import ModuleTree, Unread
from .files import Engine
from .functions import FileReader
from .graph import GraphBuilder
from .graph_documents import PlacesLocator
from .hcl_stacks import read_hcl_stacks
from .module import Module
from .module_sources import Sources, allowed_roots
from .tree_view import TreeView


def read_tree(
    module: Module, files_of: Callable[[str], FileReader], roots: Sequence[str], max_bytes: int, engine: Engine | None
) -> Inventory:
    """The roles of ``module`` (a root module) and of every module it calls; ``files_of(folder)``
    reads the ``file()`` targets of the module in ``folder``."""
    sources = Sources(module.directory, allowed_roots(module.directory, roots), max_bytes)
    tree = ModuleTree(module, files_of, sources, max_bytes, engine)
    try:
        return _read(module, tree)
    finally:
        tree.release()


def _read(module: Module, tree: ModuleTree) -> Inventory:
    tree.build()
    view = TreeView(tree.evaluators)
    tree.judging = True
    built = GraphBuilder(view, view).build()
    for evaluator in tree.evaluators:
        built.extend(read_hcl_stacks(TreeView([evaluator]), evaluator))
    tree.judging = False
    inventory = Inventory(problems=list(module.problems))
    for child in tree.modules:
        inventory.problems.extend(child.problems)
        inventory.suppressions.extend(child.suppressions)
    built.roles = [_with_calls(role, tree) for role in built.roles]
    inventory.extend(built)
    inventory.roles.extend(_unread_role(unread) for unread in tree.unread if unread.shapes_iam())
    return inventory


def _with_calls(role: Role, tree: ModuleTree) -> Role:
    """A role of a called module depends on the calls that make it (arguments, count, for_each)."""
    calls = {called.call.file for called in tree.called if role.name.startswith(called.call.address + ".")}
    origins = tuple(
        origin
        for evaluator in tree.evaluators
        if evaluator.prefix and role.name.startswith(evaluator.prefix)
        for origin in evaluator.origins
    )
    if not origins and not calls - role.files:
        return role
    return replace(role, files=role.files | calls, origins=origins)


def _unread_role(unread: Unread) -> Role:
    """A call that is not read but IAM passes through: a role whose trust and policies are unknown."""
    where = Anchor(unread.call.file, (), PlacesLocator(unread.block.span, {}))
    what = f"{unread.call.address} ({unread.source})"
    reason = Unknown(f"{what} is not read: {unread.reason}")
    return unreadable_template_role(unread.call.address, what, where, where, reason, frozenset({unread.call.file}))
