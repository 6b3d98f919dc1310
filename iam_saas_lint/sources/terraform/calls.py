"""A root module with every module it calls, evaluated as Terraform would deploy them.

Each instance of a call (one per ``count`` index or ``for_each`` key; an unresolved count or key set
is one instance whose key is unknown) gets an evaluator of its own over the called module, whose
address prefix (``module.datadog["prod"].``) names everything declared in it. The call's
arguments are the child's variables, evaluated in the caller with the call instance's
``count.index`` or ``each``; ``module.x.output`` in the caller is the child's output. Calls are
followed ``MAX_DEPTH`` levels deep; a call that cannot be read is remembered with why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from ...model.values import Span, Unknown
from ...patterns import lazy_compile
from ...records import dataclass, field
from .evaluate import Evaluator
from .files import Engine
from .functions import FileReader
from .module import Declaration, Module, load_module
from .module_sources import MAX_DEPTH, Sources, folder_module_files, literal_argument
from .scope import Instance, Scope
from .syntax import Block, Step
from .values import Invalid, Result, format_key
from .var_types import convert

#: Argument names that shape IAM (accounts, principals, ARNs, external ids, policies).
_IAM_ARGUMENT = lazy_compile(r"account|principal|role|arn|external_?id|trust|vendor|polic|iam|assume", re.IGNORECASE)
#: Arguments of a call that are not the child's variables.
META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


@dataclass
class Called:
    """One instance of a module call, read."""

    call: Instance
    evaluator: Evaluator


@dataclass
class Unread:
    """One instance of a module call whose module is not read, and why."""

    call: Instance
    source: str
    reason: str
    caller: Evaluator
    #: Whether the caller's IAM resources use its outputs (set while the role graph is built).
    outputs_used: bool = False

    @property
    def block(self) -> Block:
        return self.call.declaration.block

    def shapes_iam(self) -> bool:
        arguments = self.block.body.attributes
        return self.outputs_used or any(_IAM_ARGUMENT.search(name) for name in arguments if name not in META_ARGUMENTS)


@dataclass
class CallSite:
    """A ``module`` block of one module instance: its instances, read or not."""

    declaration: Declaration
    source: str
    read: list[Called] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)


class ModuleTree:
    def __init__(
        self,
        root: Module,
        files_of: Callable[[str], FileReader],
        sources: Sources,
        max_bytes: int,
        engine: Engine | None,
    ) -> None:
        self.sources = sources
        self.max_bytes = max_bytes
        self.engine = engine
        self._files_of = files_of
        self.root = Evaluator(root, files_of(root.directory))
        self.root.context = CallContext(self, self.root, None)
        self.evaluators: list[Evaluator] = [self.root]
        self.sites: dict[tuple[int, str], CallSite] = {}
        self._modules: dict[str, Module] = {}
        #: True while the role graph is built: references to unread modules then touch IAM.
        self.judging = False

    def release(self) -> None:
        """Ends the evaluators' links back to the tree (a cycle): the module's syntax trees and values
        are then freed as soon as the reading is done, not left for the garbage collector to find."""
        for evaluator in self.evaluators:
            evaluator.context = None

    @property
    def unread(self) -> list[Unread]:
        return [unread for site in self.sites.values() for unread in site.unread]

    @property
    def called(self) -> list[Called]:
        return [called for site in self.sites.values() for called in site.read]

    @property
    def modules(self) -> list[Module]:
        return list(self._modules.values())

    def build(self) -> None:
        self._walk(self.root, 0, (os.path.realpath(self.root.module.directory or "."),), "")

    def _walk(self, caller: Evaluator, depth: int, chain: tuple[str, ...], key: str) -> None:
        for name in caller.module.names_of("module"):
            block = caller.module.named("module", name)
            if block is None:
                continue
            site = self._site(caller, name, block)
            call_key = f"{key}.{name}" if key else name
            resolved = self.sources.resolve(caller.module.directory, call_key, literal_argument(block, "source"))
            for instance in caller.instances(site.declaration):
                reason = resolved.reason
                folder = resolved.folder
                if folder is not None and os.path.realpath(folder) in chain:
                    reason, folder = f"{folder} calls itself (through {instance.address})", None
                elif folder is not None and depth >= MAX_DEPTH:
                    reason, folder = f"more than {MAX_DEPTH} levels of module calls are not read", None
                if folder is None:
                    site.unread.append(Unread(instance, resolved.written, reason, caller))
                    continue
                child = self._evaluator(folder, instance, caller)
                site.read.append(Called(instance, child))
                self._walk(child, depth + 1, (*chain, os.path.realpath(folder)), call_key)

    def _site(self, caller: Evaluator, name: str, block: Block) -> CallSite:
        key = (id(caller), name)
        if key not in self.sites:
            declaration = caller.own(Declaration("module", "module", name, block))
            self.sites[key] = CallSite(declaration, literal_argument(block, "source") or "")
        return self.sites[key]

    def _evaluator(self, folder: str, call: Instance, caller: Evaluator) -> Evaluator:
        module = self._modules.get(folder)
        if module is None:
            files = folder_module_files(folder, self.sources.roots)
            module = self._modules[folder] = load_module(folder, files, self.max_bytes, self.engine, root=False)
        child = Evaluator(module, self._files_of(folder), call.address + ".")
        child.budget = self.root.budget  # one bound for the whole tree
        child._recorders = self.root._recorders  # the role graph records the files of every module
        child.file_values = self.root.file_values
        child.problems = self.root.problems
        child.context = CallContext(self, child, caller, call)
        self.evaluators.append(child)
        return child

    def site(self, caller: Evaluator, name: str) -> CallSite | None:
        return self.sites.get((id(caller), name))


class CallContext:
    """What one module instance's evaluator asks of its call and of the modules it calls."""

    def __init__(self, tree: ModuleTree, evaluator: Evaluator, caller: Evaluator | None, call: Instance | None = None):
        self.tree = tree
        self.evaluator = evaluator
        self.caller = caller
        self.call = call
        #: Where each variable the call sets is set (``var.x`` → the argument's span in the caller).
        self.arguments: dict[str, Span] = {}

    # -- variables ------------------------------------------------------------------------------

    def given(self, name: str, block: Block | None) -> Result | None:
        if self.caller is None or self.call is None:
            return None
        arguments = self.call.declaration.block.body.attributes
        argument = arguments.get(name) if name not in META_ARGUMENTS else None
        if argument is None:
            if block is not None and "default" not in block.body.attributes:
                return Invalid(f"{self.call.address} does not set var.{name}, which has no default"), {}
            return None
        self.caller.touch(self.call.file)
        self.arguments[name] = argument.span
        value, places = self.caller.expr(argument.expr, Scope(self.call.file, self.call))
        if value is None and block is not None and "default" in block.body.attributes and not self._nullable(block):
            return None  # nullable = false: null stands for the default
        return value, places

    def may_be_absent(self) -> Unknown | None:
        return self.call.maybe if self.call is not None else None

    def written(self, name: str) -> str | None:
        span = self.arguments.get(name)
        if span is None or self.call is None:
            return None
        return f"argument {name} of {self.call.address} at {self.call.file}:{span.line}"

    def _nullable(self, block: Block) -> bool:
        node = block.body.attributes.get("nullable")
        return node is None or self.evaluator.value(node.expr, Scope(block.file)) is not False

    def typed(self, name: str, block: Block | None, result: Result) -> Result:
        node = block.body.attributes.get("type") if block is not None else None
        if node is None or block is None:
            return result
        value, places = result
        return convert(self.evaluator, value, node.expr, Scope(block.file)), places

    # -- outputs of called modules ------------------------------------------------------------------

    def module_reference(self, name: str, steps: list[Step], scope: Scope, span: Span) -> Result:
        site = self.tree.site(self.evaluator, name)
        if site is None:
            return Invalid(f"module.{name} is not called in this module"), {(): span}
        for unread in site.unread:
            unread.outputs_used |= self.tree.judging
        if not site.read and site.unread:
            first = site.unread[0]
            return Unknown(f"{first.call.address} ({first.source}) is not read: {first.reason}"), {(): span}
        iteration = _iteration(site.declaration.block)
        if iteration is None:
            if site.unread or not site.read:
                return Unknown(f"module.{name} is not read"), {(): span}
            return self._select(site.read[0], steps, scope, span)
        if steps and steps[0][0] in ("index", "key"):
            key = self.evaluator.value(steps[0][1], scope) if steps[0][0] == "index" else steps[0][1]
            if isinstance(key, Unknown):
                return Unknown(f"module.{name}[…] with a key that is not resolved ({key})"), {(): span}
            for called in site.read:
                if called.call.key == key or isinstance(called.call.key, Unknown):
                    return self._select(called, steps[1:], scope, span)
            if site.unread:
                return Unknown(f"{site.unread[0].call.address} is not read: {site.unread[0].reason}"), {(): span}
            return Invalid(f"module.{name}{format_key(key)} is not one of its instances"), {(): span}
        if site.unread or any(isinstance(c.call.key, Unknown) for c in site.read):
            return Unknown(f"module.{name}: its instances are not all known"), {(): span}
        whole: object
        if iteration == "count":
            whole = [self._outputs(called, span) for called in site.read]
        else:
            whole = {str(called.call.key): self._outputs(called, span) for called in site.read}
        return self.evaluator.apply(whole, {(): span}, steps, scope, span)

    def _select(self, called: Called, steps: list[Step], scope: Scope, span: Span) -> Result:
        if steps and steps[0][0] == "attr":
            value, _ = output(called.evaluator, str(steps[0][1]), span)
            return self.evaluator.apply(value, {(): span}, steps[1:], scope, span)
        return self.evaluator.apply(self._outputs(called, span), {(): span}, steps, scope, span)

    def _outputs(self, called: Called, span: Span) -> dict[str, object]:
        module = called.evaluator.module
        return {name: output(called.evaluator, name, span)[0] for name in module.names_of("output")}


def output(evaluator: Evaluator, name: str, span: Span) -> Result:
    """The value of a module instance's output ``name``."""
    block = evaluator.module.named("output", name)
    prefix = evaluator.prefix.rstrip(".")
    if block is None or "value" not in block.body.attributes:
        return Invalid(f"{prefix} has no output {name!r}"), {(): span}
    node = block.body.attributes["value"]

    def compute() -> Result:
        evaluator.touch(block.file)
        return evaluator.expr(node.expr, Scope(block.file))

    value, _ = evaluator.cached(("output", name), compute, f"{prefix}.{name}", span)
    return value, {(): span}


def _iteration(block: Block) -> str | None:
    attributes = block.body.attributes
    return "count" if "count" in attributes else "for_each" if "for_each" in attributes else None
