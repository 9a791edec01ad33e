"""Statement bodies of the Python builder: actions and `init` blocks, with `with` blocks for
if/else, match, forall.

Statements go to the innermost open block; a block hands its statements to its parent when the
`with` ends. Misuse (an `else_` not after an `if_`, a statement directly inside a `match`, a block
never entered) raises at once rather than building a different model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum

from spec import ast
from spec.builder_expr import Expr, ExprLike, Member, Ref, TypeLike, caller_span, node_of, type_node
from spec.ops import Fairness
from spec.source import Span


class _FrameKind(Enum):
    BLOCK = "block"
    MATCH = "match"


@dataclass
class _Frame:
    """One open block while statements are being added (builder state, hence mutable)."""

    kind: _FrameKind
    stmts: list[ast.Stmt] = field(default_factory=list)
    arms: list[ast.MatchArm] = field(default_factory=list)
    can_else: bool = False  # the last statement is an `if` whose else-chain is still open


class _Block:
    """A `with` block of a body: pushes a frame, and hands its statements to `done` on exit."""

    def __init__(self, body: Body, kind: _FrameKind, span: Span, done: Callable[[_Frame], None],
                 value: Callable[[_Frame], object] = lambda _f: None):
        self._body, self._kind, self._span, self._done, self._value = body, kind, span, done, value
        self._frame: _Frame | None = None
        body._unused.append(self)

    def __enter__(self) -> object:
        self._body._check_writable()
        self._body._unused.remove(self)
        self._frame = _Frame(self._kind)
        self._body._frames.append(self._frame)
        return self._value(self._frame)

    def __exit__(self, exc_type: object, *_rest: object) -> None:
        frame = self._body._frames.pop()
        assert frame is self._frame, "builder blocks closed out of order"
        if exc_type is None:
            self._done(frame)
        else:
            self._body._failed = True


def _attach_else(node: ast.Stmt, else_: tuple[ast.Stmt, ...]) -> ast.If:
    """`node` (an if/else-if chain) with `else_` at the end of its chain."""
    assert isinstance(node, ast.If)
    if node.else_ is None:
        return ast.If(node.cond, node.then, else_, span=node.span)
    assert len(node.else_) == 1
    return ast.If(node.cond, node.then, (_attach_else(node.else_[0], else_),), span=node.span)


def _one_binder(binder: Mapping[str, TypeLike], what: str) -> tuple[str, TypeLike]:
    if len(binder) != 1:
        raise TypeError(f"{what} binds exactly one variable, as in {what}(v=Vcpu)")
    return next(iter(binder.items()))


class Body:
    """The statements of an action or an `init` block. Block statements are `with` blocks:

        with a.if_(cond): ...        with a.elif_(cond): ...        with a.else_(): ...
        with a.match(x) as mt:
            with mt.case(E.A, E.B): ...
            with mt.default(): ...
        with a.forall(v=Vcpu) as v: ...
    """

    def __init__(self, what: str, span: Span) -> None:
        self._what = what
        self._span = span
        self._frames = [_Frame(_FrameKind.BLOCK)]
        self._unused: list[_Block] = []
        self._closed = False
        self._failed = False  # an exception left one of its blocks: the body is incomplete

    def __enter__(self) -> Body:
        return self

    def __exit__(self, exc_type: object, *_rest: object) -> None:
        self._closed = True
        self._failed = self._failed or exc_type is not None

    # -- bookkeeping

    def _check_writable(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self._what} is closed: this statement is outside its `with` block")

    def _top(self, want: _FrameKind = _FrameKind.BLOCK) -> _Frame:
        self._check_writable()
        frame = self._frames[-1]
        if frame.kind is not want:
            raise RuntimeError("inside `match`, statements go into `case(...)` or `default()` blocks"
                               if frame.kind is _FrameKind.MATCH else "`case` and `default` belong directly "
                               "inside their `with ... match(...)` block")
        return frame

    def _emit(self, stmt: ast.Stmt, can_else: bool = False) -> None:
        frame = self._top()
        frame.stmts.append(stmt)
        frame.can_else = can_else

    def statements(self) -> tuple[ast.Stmt, ...]:
        """The body so far. Raises RuntimeError while a block is open or a block was never entered."""
        if self._failed:
            raise RuntimeError(f"{self._what} (at {self._span}) is incomplete: an exception left it while it "
                               "was being built; build the model again from the start")
        if len(self._frames) != 1:
            raise RuntimeError(f"{self._what}: a block is still open")
        if self._unused:
            s = self._unused[0]._span
            raise RuntimeError(f"{self._what}: the block made at {s} was never used in a `with` statement")
        return tuple(self._frames[0].stmts)

    # -- simple statements

    def require(self, cond: ExprLike) -> None:
        """`require cond;`: the step is enabled only where `cond` holds."""
        span = caller_span()
        self._emit(ast.Require(node_of(cond, span), span=span))

    def assign(self, target: Expr, value: ExprLike) -> None:
        """`x := value;` or `f[a, b] := value;` (target `x`, `f[a, b]` or a `choose` local)."""
        span = caller_span()
        node = target._at(span) if isinstance(target, Expr) else None
        if isinstance(node, ast.NameExpr):
            self._emit(ast.Assign(node.name, (), node_of(value, span), span=span))
        elif isinstance(node, ast.Index):
            self._emit(ast.Assign(node.target, node.args, node_of(value, span), span=span))
        else:
            raise TypeError(f"cannot assign to {target!r}: assign a state variable `x`, an entry `f[a]` "
                            "or a `choose` local")

    def assert_(self, cond: ExprLike, name: str | None = None) -> None:
        """`assert name: cond;` (an unnamed assert is numbered within its action, `action:assert#N`)."""
        span = caller_span()
        self._emit(ast.Assert(name, node_of(cond, span), span=span))

    def skip(self) -> None:
        """`skip;`"""
        self._emit(ast.Skip(span=caller_span()))

    def choose(self, where: ExprLike | Callable[[Ref], ExprLike] | None = None, **binder: TypeLike) -> Ref:
        """`choose x: T where cond;` as `x = a.choose(x=T, where=lambda x: cond)`; returns the local."""
        span = caller_span()
        name, t = _one_binder(binder, "choose")
        local = Ref((name,), span)
        cond = where(local) if callable(where) and not isinstance(where, Expr) else where
        self._emit(ast.Choose(ast.Binder(name, type_node(t, span), span=span),
                              node_of(cond, span) if cond is not None else None, span=span))
        return local

    # -- block statements

    def if_(self, cond: ExprLike) -> _Block:
        """`with a.if_(cond):` opens the then-block."""
        span = caller_span()
        c = node_of(cond, span)

        def done(f: _Frame) -> None:
            self._emit(ast.If(c, tuple(f.stmts), None, span=span), can_else=True)
        return _Block(self, _FrameKind.BLOCK, span, done)

    def elif_(self, cond: ExprLike) -> _Block:
        """`with a.elif_(cond):` right after an `if_`/`elif_` block: `else if cond { ... }`."""
        span = caller_span()
        parent = self._else_parent("elif_")
        c = node_of(cond, span)

        def done(f: _Frame) -> None:
            self._check_else(parent, "elif_")
            parent.stmts[-1] = _attach_else(parent.stmts[-1], (ast.If(c, tuple(f.stmts), None, span=span),))
            parent.can_else = True
        return _Block(self, _FrameKind.BLOCK, span, done)

    def else_(self) -> _Block:
        """`with a.else_():` right after an `if_`/`elif_` block."""
        span = caller_span()
        parent = self._else_parent("else_")

        def done(f: _Frame) -> None:
            self._check_else(parent, "else_")
            parent.stmts[-1] = _attach_else(parent.stmts[-1], tuple(f.stmts))
            parent.can_else = False
        return _Block(self, _FrameKind.BLOCK, span, done)

    def _else_parent(self, what: str) -> _Frame:
        frame = self._top()
        self._check_else(frame, what)
        return frame

    @staticmethod
    def _check_else(frame: _Frame, what: str) -> None:
        if not frame.can_else:
            raise RuntimeError(f"`{what}` must directly follow an `if_` or `elif_` block")

    def match(self, scrutinee: ExprLike) -> _Block:
        """`with a.match(x) as mt:` then `with mt.case(...)` / `with mt.default()` blocks."""
        span = caller_span()
        scr = node_of(scrutinee, span)

        def done(f: _Frame) -> None:
            self._emit(ast.Match(scr, tuple(f.arms), span=span))
        return _Block(self, _FrameKind.MATCH, span, done, lambda f: Cases(self, f))

    def forall(self, **binder: TypeLike) -> _Block:
        """`with a.forall(v=Vcpu) as v:` runs the block for every element, all at once."""
        span = caller_span()
        name, t = _one_binder(binder, "forall")
        b = ast.Binder(name, type_node(t, span), span=span)

        def done(f: _Frame) -> None:
            self._emit(ast.ForallStmt(b, tuple(f.stmts), span=span))
        return _Block(self, _FrameKind.BLOCK, span, done, lambda _f: Ref((name,), span))


class Cases:
    """The arms of a `match`: `with mt.case(PageState.Free, PageState.Shared):`, `with mt.default():`."""

    def __init__(self, body: Body, frame: _Frame) -> None:
        self._body = body
        self._frame = frame

    def case(self, *patterns: Member | bool) -> _Block:
        span = caller_span()
        if not patterns:
            raise TypeError("case() needs at least one pattern; the wildcard arm is default()")
        return self._arm(tuple(_pattern(p, span) for p in patterns), span)

    def default(self) -> _Block:
        """The wildcard arm `_ => ...`."""
        return self._arm((), caller_span())

    def _arm(self, patterns: tuple[ast.Name, ...], span: Span) -> _Block:
        if self._body._frames[-1] is not self._frame:
            self._body._top(_FrameKind.MATCH)
            raise RuntimeError("this `case` belongs to another `match`")

        def done(f: _Frame) -> None:
            self._frame.arms.append(ast.MatchArm(patterns, tuple(f.stmts), span=span))
        return _Block(self._body, _FrameKind.BLOCK, span, done)


def _pattern(p: object, span: Span) -> ast.Name:
    if isinstance(p, bool):
        return ast.Name(("true" if p else "false",), span=span)
    if isinstance(p, Member):
        node = p._at(span)
        assert isinstance(node, ast.NameExpr)
        return node.name
    raise TypeError(f"a match pattern is an enum member (or True/False for a bool), not {p!r}")


class ActionBody(Body):
    """An action being built: `with m.action("alloc", p=Page) as (a, p):` (or `as a` without
    parameters). Iterating it gives itself, then its parameters."""

    def __init__(self, parts: tuple[str, ...], params: tuple[tuple[str, TypeLike], ...], doc: str | None,
                 cite: str | None, span: Span, fairness: Fairness | None = None) -> None:
        super().__init__(f"action `{'.'.join(parts)}`", span)
        self._parts, self._doc, self._cite, self._fairness = parts, doc, cite, fairness
        self._binders = tuple(ast.Binder(n, type_node(t, span), span=span) for n, t in params)
        self.params = tuple(Ref((n,), span) for n, _t in params)

    def __enter__(self) -> ActionBody:
        super().__enter__()
        return self

    def __iter__(self) -> Iterator[ActionBody | Ref]:
        return iter((self, *self.params))

    def decl(self) -> ast.ActionDecl:
        return ast.ActionDecl(self._parts[-1], self._binders, self._doc, self._cite, self.statements(),
                              self._fairness, span=self._span, name_span=self._span)


class InitBody(Body):
    """An `init { ... }` block: `with m.init() as i:`."""

    def __enter__(self) -> InitBody:
        super().__enter__()
        return self

    def decl(self) -> ast.InitDecl:
        return ast.InitDecl(self.statements(), span=self._span, name_span=self._span)
