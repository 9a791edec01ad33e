"""Canonical text of the AST (for `spec-check fmt`) and of IR expressions (for messages).

`format_module` keeps comments: a comment is printed before the first declaration or
statement that starts after it, or at the end of the line it trailed. Parsing the output gives
the same AST as the input (spans aside), and formatting is idempotent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import assert_never

from spec import ast, ir
from spec.ops import PRECEDENCE, BinOp, QuantKind
from spec.source import Span

INDENT = "  "
WIDTH = 100  # a doc string or cite that would make its line longer is split over several lines

# Precedence of the grammar levels that are not binary operators.
_P_QUANT = 0
_P_COND = 1
_P_UNARY = 10
_P_ATOM = 12

_RIGHT_ASSOC = {BinOp.IMPLIES}
_NON_ASSOC = {BinOp.LT, BinOp.LE, BinOp.GT, BinOp.GE}


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _fits(indent: int, text: str) -> bool:
    return len(INDENT * indent + text) <= WIDTH


def _room(indent: int) -> int:
    return WIDTH - len(INDENT * indent)


def _quoted_lines(s: str, room: int) -> list[str]:
    """`s` as adjacent string literals (one string to the parser), each at most `room` columns
    where the words allow: split after a space, so joining them gives `s` back exactly."""
    words = re.split(r"(?<= )(?=[^ ])", s)
    out: list[str] = []
    cur = ""
    for w in words:
        if cur and len(_quote(cur + w)) > room:
            out.append(_quote(cur))
            cur = w
        else:
            cur += w
    out.append(_quote(cur))
    return out


# ---------------------------------------------------------------- expressions (shared shape)


def _wrap(text: str, prec: int, need: int) -> str:
    return f"({text})" if prec < need else text


def _binary_sides(op: BinOp) -> tuple[int, int]:
    p = PRECEDENCE[op]
    if op in _RIGHT_ASSOC:
        return p + 1, p
    if op in _NON_ASSOC:
        return p + 1, p + 1
    return p, p + 1


def print_expr(e: ast.Expr) -> str:
    return _ast_expr(e)[0]


def _ast_expr(e: ast.Expr) -> tuple[str, int]:
    match e:
        case ast.BoolLit():
            return ("true" if e.value else "false"), _P_ATOM
        case ast.IntLit():
            return _int_text(e), (_P_ATOM if e.value >= 0 else _P_UNARY)
        case ast.NameExpr():
            return str(e.name), _P_ATOM
        case ast.Index():
            return f"{e.target}[{', '.join(print_expr(a) for a in e.args)}]", _P_ATOM
        case ast.Call():
            return f"{e.func}({', '.join(print_expr(a) for a in e.args)})", _P_ATOM
        case ast.Unary():
            text, p = _ast_expr(e.arg)
            return e.op.value + _wrap(text, p, _P_UNARY), _P_UNARY
        case ast.Binary():
            lneed, rneed = _binary_sides(e.op)
            lt, lp = _ast_expr(e.lhs)
            rt, rp = _ast_expr(e.rhs)
            return f"{_wrap(lt, lp, lneed)} {e.op.value} {_wrap(rt, rp, rneed)}", PRECEDENCE[e.op]
        case ast.Cond():
            ct, cp = _ast_expr(e.cond)
            tt, tp = _ast_expr(e.then)
            et, ep = _ast_expr(e.else_)
            return f"{_wrap(ct, cp, _P_COND + 1)} ? {_wrap(tt, tp, _P_COND)} : {_wrap(et, ep, _P_COND)}", _P_COND
        case ast.Quant():
            binders = ", ".join(f"{b.name}: {print_type(b.type)}" for b in e.binders)
            return f"{e.kind.value} {binders} :: {print_expr(e.body)}", _P_QUANT
        case ast.Temporal():  # binds like `!`
            text, p = _ast_expr(e.arg)
            return f"{e.op.value} {_wrap(text, p, _P_UNARY)}", _P_UNARY
        case _:
            assert_never(e)


# Operators fmt may break a long expression after (the operator ends the line, as in C).
_BREAKABLE = {BinOp.IFF, BinOp.IMPLIES, BinOp.OR, BinOp.AND}


def break_expr(e: ast.Expr, first: int, rest: int) -> list[str]:
    """`e` over several lines when its one-line form is longer than `first` (the room on its
    first line; `rest`: on the others). The operands of a top-level chain of `&&`, `||`, `->` or
    `<->` fill lines, each line ending with the operator; a quantifier's body goes one level
    deeper, under its heads. Continuation lines carry their extra indentation. Parentheses are
    those of the one-line form, so the text parses to the same tree."""
    return _break(e, first, rest, _P_QUANT)


def _break(e: ast.Expr, first: int, rest: int, need: int) -> list[str]:
    text, prec = _ast_expr(e)
    one = _wrap(text, prec, need)
    if len(one) <= first:
        return [one]
    if prec < need:  # parenthesised: break inside the parentheses
        inner = _break(e, first - 1, rest - 1, _P_QUANT)
        if len(inner) == 1:
            return [one]
        return ["(" + inner[0], *(" " + line for line in inner[1:-1]), " " + inner[-1] + ")"]
    if isinstance(e, ast.Binary) and e.op in _BREAKABLE:
        return _fill(e, first, rest)
    if isinstance(e, ast.Quant):
        heads = [_quant_head(e)]
        body = e.body
        while isinstance(body, ast.Quant) and len(" ".join([*heads, _quant_head(body)])) <= first:
            heads.append(_quant_head(body))
            body = body.body
        room = rest - len(INDENT)
        return [" ".join(heads), *(INDENT + line for line in _break(body, room, room, _P_QUANT))]
    return [one]


def _fill(e: ast.Binary, first: int, rest: int) -> list[str]:
    """A chain's operands, as many on each line as fit; one too long for a line is broken."""
    operands = _chain(e)
    lneed, rneed = _binary_sides(e.op)
    out: list[str] = []
    cur = ""
    for k, (o, side) in enumerate(operands):
        need = lneed if side == "l" else rneed
        op = f" {e.op.value}" if k < len(operands) - 1 else ""
        text, prec = _ast_expr(o)
        piece = _wrap(text, prec, need) + op
        room = first if not out else rest
        if len(cur + " " + piece if cur else piece) <= room:
            cur = cur + " " + piece if cur else piece
            continue
        if cur:
            out.append(cur)
            cur, room = "", rest
        if len(piece) <= room:
            cur = piece
            continue
        sub = _break(o, room - len(op), rest - len(op), need)
        out += sub[:-1]
        cur = sub[-1] + op
    out.append(cur)
    return out


def _quant_head(e: ast.Quant) -> str:
    return f"{e.kind.value} " + ", ".join(f"{b.name}: {print_type(b.type)}" for b in e.binders) + " ::"


def _chain(e: ast.Binary) -> list[tuple[ast.Expr, str]]:
    """The operands of a chain of `e.op` that the one-line form prints without parentheses, each
    with the side it is on (`l`: printed as a left operand, `r`: as a right one)."""
    if e.op in _RIGHT_ASSOC:  # a -> b -> c is a -> (b -> c)
        rest = _chain(e.rhs) if isinstance(e.rhs, ast.Binary) and e.rhs.op is e.op else [(e.rhs, "r")]
        return [(e.lhs, "l"), *rest]
    if e.op in (BinOp.AND, BinOp.OR):  # a && b && c is (a && b) && c
        first = _chain(e.lhs) if isinstance(e.lhs, ast.Binary) and e.lhs.op is e.op else [(e.lhs, "l")]
        return [*first, (e.rhs, "r")]
    return [(e.lhs, "l"), (e.rhs, "r")]


def _int_text(e: ast.IntLit) -> str:
    """The literal as written (hex stays hex) when that still denotes its value."""
    if e.text and e.text.lstrip("-").lower().startswith("0x"):
        try:
            if int(e.text, 0) == e.value:
                return e.text
        except ValueError:
            pass
    return str(e.value)


def print_type(t: ast.TypeExpr) -> str:
    match t:
        case ast.BoolTypeExpr():
            return "bool"
        case ast.NamedTypeExpr():
            return str(t.name)
        case ast.RangeTypeExpr():
            return f"{_bound(t.lo)}..{_bound(t.hi)}"
        case ast.FunTypeExpr():
            if len(t.args) == 1:
                return f"{print_type(t.args[0])} -> {print_type(t.result)}"
            return "(" + ", ".join(print_type(a) for a in t.args) + f") -> {print_type(t.result)}"
        case _:
            assert_never(t)


def _bound(e: ast.Expr) -> str:
    if isinstance(e, ast.IntLit | ast.NameExpr):
        return print_expr(e)
    return f"({print_expr(e)})"


# ---------------------------------------------------------------- IR expressions


def print_ir_expr(e: ir.Expr) -> str:
    return _ir_expr(e)[0]


def _ir_expr(e: ir.Expr) -> tuple[str, int]:
    match e:
        case ir.Lit():
            text = ir.format_value(e.value)
            return text, (_P_UNARY if isinstance(e.value, int) and not isinstance(e.value, bool) and e.value < 0
                          else _P_ATOM)
        case ir.Var() | ir.Local() | ir.Param():
            return e.name, _P_ATOM
        case ir.Read():
            return f"{e.name}[{', '.join(print_ir_expr(a) for a in e.args)}]", _P_ATOM
        case ir.Unary():
            text, p = _ir_expr(e.arg)
            return e.op.value + _wrap(text, p, _P_UNARY), _P_UNARY
        case ir.Binary():
            lneed, rneed = _binary_sides(e.op)
            lt, lp = _ir_expr(e.lhs)
            rt, rp = _ir_expr(e.rhs)
            return f"{_wrap(lt, lp, lneed)} {e.op.value} {_wrap(rt, rp, rneed)}", PRECEDENCE[e.op]
        case ir.Ite():
            ct, cp = _ir_expr(e.cond)
            tt, tp = _ir_expr(e.then)
            et, ep = _ir_expr(e.else_)
            return f"{_wrap(ct, cp, _P_COND + 1)} ? {_wrap(tt, tp, _P_COND)} : {_wrap(et, ep, _P_COND)}", _P_COND
        case ir.Quant():
            return f"{e.kind.value} {e.var}: {e.domain} :: {print_ir_expr(e.body)}", _P_QUANT
        case _:
            assert_never(e)


# ---------------------------------------------------------------- modules, with comments


@dataclass
class _Out:
    comments: list[ast.Comment]
    lines: list[str] = field(default_factory=list)
    # line index -> the comment that ends it (aligned with its neighbours at the end)
    trailers: dict[int, str] = field(default_factory=dict)
    pos: int = 0  # next comment to place
    last_line: int = 0  # last source line already printed

    def pending_before(self, line: int, col: int = 1 << 30) -> list[ast.Comment]:
        out = []
        while self.pos < len(self.comments):
            c = self.comments[self.pos]
            if (c.span.line, c.span.col) < (line, col):
                out.append(c)
                self.pos += 1
            else:
                break
        return out

    def trailing(self, line: int) -> str | None:
        """A comment that starts on `line` (after the code just printed)."""
        if self.pos < len(self.comments) and self.comments[self.pos].span.line == line \
                and "\n" not in self.comments[self.pos].text:
            c = self.comments[self.pos]
            self.pos += 1
            return c.text
        return None

    def text(self) -> str:
        """The lines, trailing comments of consecutive lines aligned in one column (as in the
        kernel's own sources)."""
        lines = list(self.lines)
        run: list[int] = []
        for i in range(len(lines) + 1):
            if i in self.trailers and (not run or run[-1] == i - 1):
                run.append(i)
                continue
            if run:
                col = max(len(lines[j]) for j in run) + 2
                for j in run:
                    lines[j] = lines[j].ljust(col) + self.trailers[j]
            run = [i] if i in self.trailers else []
        return "\n".join(lines).rstrip() + "\n"


class _Formatter:
    def __init__(self, module: ast.Module):
        comments = sorted(module.comments, key=lambda c: (c.span.line, c.span.col))
        self.out = _Out(comments)

    def emit(self, indent: int, text: str) -> None:
        self.out.lines.append((INDENT * indent + text) if text else "")

    def lead(self, span: Span, indent: int, first: bool) -> None:
        """Comments before `span`, and one blank line where the source had one or more."""
        comments = self.out.pending_before(span.line, span.col)
        prev = self.out.last_line
        for c in comments:
            if not first and prev and c.span.line > prev + 1:
                self.emit(0, "")
            self.comment(c, indent)
            prev = c.span.end_line or c.span.line
            first = False
        if not first and prev and span.line > prev + 1:
            self.emit(0, "")

    def close(self, end: Span, indent: int) -> None:
        """Comments left before the closing brace on line `end.end_line`."""
        for c in self.out.pending_before(end.end_line, end.end_col - 1):
            if self.out.last_line and c.span.line > self.out.last_line + 1:
                self.emit(0, "")
            self.comment(c, indent)
            self.out.last_line = c.span.end_line or c.span.line

    def comment(self, c: ast.Comment, indent: int) -> None:
        # Lines after the first of a block comment are kept as written: re-indenting them
        # would shift them again on every run.
        first, *rest = c.text.split("\n")
        self.emit(indent, first)
        self.out.lines.extend(r.rstrip() for r in rest)

    def line(self, indent: int, text: str, span: Span, end_line: int | None = None) -> None:
        end = end_line if end_line is not None else (span.end_line or span.line)
        # Comments inside a construct that spans lines (it is printed on one) go before it.
        for c in self.out.pending_before(end, 1):
            self.comment(c, indent)
        self.emit(indent, text)
        trailer = self.out.trailing(end)
        if trailer is not None:
            self.out.trailers[len(self.out.lines) - 1] = trailer
        self.out.last_line = end

    def expr_line(self, indent: int, prefix: str, e: ast.Expr, suffix: str, span: Span,
                  header: bool = False) -> None:
        """`prefix expr suffix` on one line when it fits, else broken by break_expr, continuation
        lines two levels deeper. A statement (`;`): comments inside go before it, a trailing comment
        after its last line. A `header` (`if cond {`): the construct's first line is the one whose
        comments count; a trailing comment stays on the first line (found there again next time)."""
        one = f"{prefix}{print_expr(e)}{suffix}"
        # the first line also holds the prefix (within reason: at least 40 columns for the expression)
        first = max(_room(indent) - len(prefix), 40) - len(suffix)
        parts = [] if _fits(indent, one) else break_expr(e, first, _room(indent + 2) - len(suffix))
        end = span.line if header else (span.end_line or span.line)
        if len(parts) <= 1:
            self.line(indent, one, span, end)
            return
        for c in self.out.pending_before(end, 1):
            self.comment(c, indent)
        self.emit(indent, prefix + parts[0])
        first = len(self.out.lines) - 1
        for i, text in enumerate(parts[1:], 1):
            self.emit(indent + 2, text + (suffix if i == len(parts) - 1 else ""))
        trailer = self.out.trailing(end)
        if trailer is not None:
            self.out.trailers[first if header else len(self.out.lines) - 1] = trailer
        self.out.last_line = end

    # -- declarations

    def module(self, decls: tuple[ast.TopDecl, ...], indent: int) -> None:
        for i, d in enumerate(decls):
            self.lead(d.span, indent, first=(i == 0 and indent == 0 and not self.out.lines))
            self.decl(d, indent)

    def decl(self, d: ast.TopDecl, ind: int) -> None:
        match d:
            case ast.ModelDecl():
                self.line(ind, f"model {d.name};", d.span)
            case ast.Include():
                self.line(ind, f"include {_quote(d.path)};", d.span)
            case ast.EnumDecl():
                self.enum(d, ind)
            case ast.SortDecl():
                size = f" = {print_expr(d.size)}" if d.size is not None else ""
                self.line(ind, f"sort {d.name}{size};", d.span)
            case ast.ParamDecl():
                mit = "mitigation " if d.mitigation else ""
                self.line(ind, f"{mit}param {d.name}: {print_type(d.type)} = {print_expr(d.default)};", d.span)
            case ast.ParamOverride():
                self.line(ind, f"param {d.name} = {print_expr(d.value)};", d.span)
            case ast.ConstDecl():
                self.line(ind, f"const {d.name} = {print_expr(d.value)};", d.span)
            case ast.VarDecl():
                init = f" = {print_expr(d.init)}" if d.init is not None else ""
                self.line(ind, f"var {d.name}: {print_type(d.type)}{init};", d.span)
            case ast.InitDecl():
                self.line(ind, "init {", d.span, d.span.line)
                self.body(d.body, ind + 1, d.span)
                self.line(ind, "}", d.span)
            case ast.DefDecl():
                params = ", ".join(f"{b.name}: {print_type(b.type)}" for b in d.params)
                self.expr_line(ind, f"def {d.name}({params}): {print_type(d.result)} = ", d.body, ";", d.span)
            case ast.ActionDecl():
                self.action(d, ind)
            case ast.InvariantDecl() | ast.ReachableDecl() | ast.PropertyDecl() | ast.AssumeDecl():
                self.prop(d, ind)
            case ast.ComponentDecl():
                self.line(ind, f"component {d.name} {{", d.span, d.span.line)
                self.module(d.decls, ind + 1)
                self.close(d.span, ind + 1)
                self.line(ind, "}", d.span)
            case _:
                assert_never(d)

    def enum(self, d: ast.EnumDecl, ind: int) -> None:
        multiline = d.span.end_line > d.span.line
        if not multiline:
            members = ", ".join(m.name for m in d.members)
            self.line(ind, f"enum {d.name} {{ {members} }}" if members else f"enum {d.name} {{ }}", d.span)
            return
        self.line(ind, f"enum {d.name} {{", d.span, d.span.line)
        for m in d.members:
            self.lead(m.span, ind + 1, first=True)
            self.line(ind + 1, f"{m.name},", m.span)
        self.close(d.span, ind + 1)
        self.line(ind, "}", d.span)

    def prop(self, d: ast.InvariantDecl | ast.ReachableDecl | ast.PropertyDecl | ast.AssumeDecl, ind: int) -> None:
        kw = {ast.InvariantDecl: "invariant", ast.ReachableDecl: "reachable", ast.PropertyDecl: "property",
              ast.AssumeDecl: "assume"}[type(d)]
        if isinstance(d, ast.InvariantDecl) and d.lemma:
            kw = "lemma"
        expr = print_expr(d.expr)
        doc = f" {_quote(d.doc)}" if d.doc is not None else ""
        name = d.name + (f" expect {d.expect}" if isinstance(d, ast.ReachableDecl) and d.expect else "")
        one = f"{kw} {name}{doc}: {expr};"
        if d.doc is None or _fits(ind, one):
            self.expr_line(ind, f"{kw} {name}{doc}: ", d.expr, ";", d.span)
            return
        # a long doc string: on lines of its own, then the expression
        self.line(ind, f"{kw} {name}", d.span, d.span.line)
        *first, last = _quoted_lines(d.doc, _room(ind + 1))
        for q in first:
            self.line(ind + 1, q, d.span, d.span.line)
        self.line(ind + 1, last + ":", d.span, d.span.line)
        self.expr_line(ind + 1, "", d.expr, ";", d.span)

    def action(self, d: ast.ActionDecl, ind: int) -> None:
        params = ", ".join(f"{b.name}: {print_type(b.type)}" for b in d.params)
        fair = f"{d.fairness.value} " if d.fairness is not None else ""
        head = f"{fair}action {d.name}({params})"
        doc = f" {_quote(d.doc)}" if d.doc is not None else ""
        cite = f"cite {_quote(d.cite)}" if d.cite is not None else None
        if _fits(ind, head + doc + ("" if cite else " {")) and (cite is None or _fits(ind + 1, cite)):
            if cite is not None:
                self.line(ind, head + doc, d.span, d.span.line)
                self.line(ind + 1, cite, d.span, d.span.line)
                self.line(ind, "{", d.span, d.span.line)
            else:
                self.line(ind, head + doc + " {", d.span, d.span.line)
        else:  # the doc string and the cite on lines of their own, split where they are long
            self.line(ind, head, d.span, d.span.line)
            if d.doc is not None:
                for q in _quoted_lines(d.doc, _room(ind + 1)):
                    self.line(ind + 1, q, d.span, d.span.line)
            if d.cite is not None:
                first, *rest = _quoted_lines(d.cite, _room(ind + 1) - len("cite "))
                self.line(ind + 1, f"cite {first}", d.span, d.span.line)
                for q in rest:
                    self.line(ind + 2, q, d.span, d.span.line)
            self.line(ind, "{", d.span, d.span.line)
        self.body(d.body, ind + 1, d.span)
        self.line(ind, "}", d.span)

    # -- statements

    def body(self, stmts: tuple[ast.Stmt, ...], ind: int, owner: Span) -> None:
        for i, s in enumerate(stmts):
            self.lead(s.span, ind, first=(i == 0))
            self.stmt(s, ind)
        self.close(owner, ind)

    def stmt(self, s: ast.Stmt, ind: int) -> None:
        match s:
            case ast.Require():
                self.expr_line(ind, "require ", s.cond, ";", s.span)
            case ast.Assign():
                idx = f"[{', '.join(print_expr(i) for i in s.index)}]" if s.index else ""
                self.expr_line(ind, f"{s.target}{idx} := ", s.value, ";", s.span)
            case ast.Skip():
                self.line(ind, "skip;", s.span)
            case ast.Assert():
                name = f"{s.name}: " if s.name else ""
                self.expr_line(ind, f"assert {name}", s.cond, ";", s.span)
            case ast.Choose():
                head = f"choose {s.binder.name}: {print_type(s.binder.type)}"
                if s.cond is None:
                    self.line(ind, head + ";", s.span)
                else:
                    self.expr_line(ind, head + " where ", s.cond, ";", s.span)
            case ast.ForallStmt():
                self.line(ind, f"forall {s.binder.name}: {print_type(s.binder.type)} {{", s.span, s.span.line)
                self.body(s.body, ind + 1, s.span)
                self.line(ind, "}", s.span)
            case ast.If():
                self.if_(s, ind, "if")
            case ast.Match():
                self.line(ind, f"match {print_expr(s.scrutinee)} {{", s.span, s.span.line)
                for i, arm in enumerate(s.arms):
                    self.lead(arm.span, ind + 1, first=(i == 0))
                    self.arm(arm, ind + 1)
                self.close(s.span, ind + 1)
                self.line(ind, "}", s.span)
            case _:
                assert_never(s)

    def if_(self, s: ast.If, ind: int, kw: str) -> None:
        self.expr_line(ind, f"{kw} ", s.cond, " {", s.span, header=True)
        if s.else_ is None:
            self.body(s.then, ind + 1, s.span)
            self.line(ind, "}", s.span)
            return
        else_at = s.else_span if s.else_span.line > 0 else _else_guess(s)
        self.body(s.then, ind + 1, _before(else_at))  # comments before `else` stay in the then-block
        if len(s.else_) == 1 and isinstance(s.else_[0], ast.If):
            self.if_(s.else_[0], ind, "} else if")
        else:
            self.line(ind, "} else {", s.span, else_at.line or None)
            self.body(s.else_, ind + 1, s.span)
            self.line(ind, "}", s.span)

    def arm(self, arm: ast.MatchArm, ind: int) -> None:
        pats = ", ".join(str(p) for p in arm.patterns) if arm.patterns else "_"
        if len(arm.body) == 1 and isinstance(arm.body[0], ast.Require | ast.Assign | ast.Skip | ast.Assert | ast.Choose):
            inner = _Formatter.__new__(_Formatter)
            inner.out = _Out([])
            inner.stmt(arm.body[0], 0)
            if len(inner.out.lines) == 1:  # a statement fmt had to break goes in a block
                self.line(ind, f"{pats} => {inner.out.lines[0].strip()}", arm.span)
                return
        self.line(ind, f"{pats} => {{", arm.span, arm.span.line)
        self.body(arm.body, ind + 1, arm.span)
        self.line(ind, "}", arm.span)


def _else_guess(s: ast.If) -> Span:
    """Where `else` is when the AST does not say (built in Python): at the nested `if`, or at
    the end of the whole statement."""
    if s.else_ and len(s.else_) == 1 and isinstance(s.else_[0], ast.If):
        return s.else_[0].span
    return Span(s.span.file, s.span.line, s.span.col, s.span.line, s.span.col)


def _before(span: Span) -> Span:
    """A span ending where `span` starts (so comments before an `else if` stay in the then-block)."""
    return Span(span.file, span.line, span.col, span.line, span.col)


def format_module(module: ast.Module) -> str:
    """The canonical text of a parsed file, comments kept."""
    f = _Formatter(module)
    f.module(module.decls, 0)
    rest = f.out.comments[f.out.pos:]
    for c in rest:
        if f.out.last_line and c.span.line > f.out.last_line + 1:
            f.emit(0, "")
        f.emit(0, c.text)
        f.out.last_line = c.span.end_line or c.span.line
    return f.out.text()


__all__ = ["format_module", "print_expr", "print_ir_expr", "print_type", "QuantKind"]
