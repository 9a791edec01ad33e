"""The interpreter's fast form: the flat state layout, value codes, and expressions compiled into
closures; ir.Instance -> Layout, ir.Expr -> Fn.

A state is a flat sequence of ints, one slot per location, in `Instance.locations` order for
each variable in `model.vars` order (so converting to `checker.result.State` is a zip): `bytes`
when every value fits a byte (`Layout.compact`; bytes cache their hash and take one byte per
location), else a tuple; an action body works on a bytearray or a list copy. Values are
coded as ints: bool as 0/1 (Python bools are ints), an enum member as its index, a sort element as
its index, an integer as itself. A compiled expression is `fn(s, env)`: `s` is the state (a tuple,
or the list that an action body mutates) and `env` is the list of local slots (action
parameters, choose locals, binders), each binder having its own slot fixed at compile time.
Closures only: nothing is generated as text, nothing is eval'ed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, assert_never, cast

from spec import ir
from spec.ops import BinOp, QuantKind, UnOp
from spec.types import BoolT, EnumT, FunT, IntT, RangeT, SortT, Type

Fn = Callable[[Sequence[int], list[Any]], Any]
# env slots 0 and 1 are reserved: the write log of a forall run, and the branch path (coverage)
LOG_SLOT = 0
PATH_SLOT = 1
FIRST_LOCAL = 2


@dataclass(frozen=True)
class VarLayout:
    """Where a variable's locations live: slot = base + sum((code_k - offset_k) * stride_k)."""

    name: str
    base: int
    size: int
    arg_types: tuple[Type, ...]
    strides: tuple[int, ...]
    offsets: tuple[int, ...]
    entry: Type


class Layout:
    """Slots of every location of an Instance, and the int codes of values."""

    def __init__(self, inst: ir.Instance) -> None:
        self.instance = inst
        self.vars: dict[str, VarLayout] = {}
        locs: list[tuple[str, tuple[ir.Value, ...]]] = []
        types: list[Type] = []
        base = 0
        for v in inst.model.vars:
            args = v.type.args if isinstance(v.type, FunT) else ()
            entry = ir.domain_type(v.type)
            sizes = [len(inst.domain(a)) for a in args]
            strides = []
            for k in range(len(args)):
                stride = 1
                for n in sizes[k + 1:]:
                    stride *= n
                strides.append(stride)
            offsets = tuple(self.code(a, inst.domain(a)[0]) for a in args)
            index_tuples = inst.locations(v)
            self.vars[v.name] = VarLayout(v.name, base, len(index_tuples), tuple(args), tuple(strides), offsets, entry)
            for idx in index_tuples:
                locs.append((v.name, idx))
                types.append(entry)
            base += len(index_tuples)
        self.width = base
        # every stored value fits a byte: states are `bytes` (hash cached, 1 byte per location)
        self.compact = all(self._fits_byte(t) for t in types)
        self.locs: tuple[tuple[str, tuple[ir.Value, ...]], ...] = tuple(locs)
        self.slot_types: tuple[Type, ...] = tuple(types)

    def _fits_byte(self, t: Type) -> bool:
        if isinstance(t, RangeT):
            lo, hi = ir.range_bounds(t)
            return 0 <= lo and hi <= 255
        return len(self.instance.domain(t)) <= 256

    def code(self, t: Type, v: ir.Value) -> int:
        """The int code of value `v` of type `t` (checked: a wrong value raises ValueError)."""
        if isinstance(t, BoolT):
            if not isinstance(v, bool):
                raise ValueError(f"{v!r} is not a bool")
            return int(v)
        if isinstance(t, EnumT):
            if not (isinstance(v, ir.EnumVal) and v.enum == t.name):
                raise ValueError(f"{v!r} is not a member of {t.name}")
            return self.instance.model.enum(t.name).members.index(v.member)
        if isinstance(t, SortT):
            if not (isinstance(v, ir.Elem) and v.sort == t.name and 0 <= v.index < self.instance.size(t.name)):
                raise ValueError(f"{v!r} is not an element of {t.name}")
            return v.index
        if isinstance(t, RangeT | IntT):
            if isinstance(v, bool) or not isinstance(v, int):
                raise ValueError(f"{v!r} is not an integer")
            if isinstance(t, RangeT):
                lo, hi = ir.range_bounds(t)
                if not lo <= v <= hi:
                    raise ValueError(f"{v} is outside {lo}..{hi}")
            return v
        raise ValueError(f"no values of type {t}")

    def value(self, t: Type, c: int) -> ir.Value:
        """The IR value of code `c` of type `t`."""
        if isinstance(t, BoolT):
            return bool(c)
        if isinstance(t, EnumT):
            return self.instance.model.enum(t.name).values()[c]
        if isinstance(t, SortT):
            return ir.Elem(t.name, c)
        if isinstance(t, RangeT | IntT):
            return int(c)
        raise ValueError(f"no values of type {t}")

    def codes(self, t: Type) -> tuple[int, ...]:
        """The codes of every value of a finite domain, in domain order."""
        if isinstance(t, RangeT):  # an integer is its own code: no per-value check (ranges are long)
            return cast(tuple[int, ...], self.instance.domain(t))
        return tuple(self.code(t, v) for v in self.instance.domain(t))

    def slot(self, var: str, index: tuple[ir.Value, ...]) -> int:
        vl = self.vars[var]
        s = vl.base
        for t, stride, off, v in zip(vl.arg_types, vl.strides, vl.offsets, index, strict=True):
            s += (self.code(t, v) - off) * stride
        return s


class ExprCompiler:
    """IR expressions -> closures. `scope` maps local names to env slots; binders get new slots."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.nslots = FIRST_LOCAL

    def alloc(self) -> int:
        self.nslots += 1
        return self.nslots - 1

    def compile(self, e: ir.Expr, scope: dict[str, int]) -> Fn:
        match e:
            case ir.Lit():
                c = self._lit(e)
                return lambda s, env: c
            case ir.Var():
                k = self.layout.vars[e.name].base
                return lambda s, env: s[k]
            case ir.Read():
                return self._read(e, scope)
            case ir.Local():
                j = scope[e.name]
                return lambda s, env: env[j]
            case ir.Param():
                raise ValueError(f"parameter `{e.name}` is not bound in this instance")
            case ir.Unary():
                a = self.compile(e.arg, scope)
                if e.op is UnOp.NOT:
                    return lambda s, env: not a(s, env)
                return lambda s, env: -a(s, env)
            case ir.Binary():
                return self._binary(e, scope)
            case ir.Ite():
                c, t, f = (self.compile(x, scope) for x in (e.cond, e.then, e.else_))
                return lambda s, env: t(s, env) if c(s, env) else f(s, env)
            case ir.Quant():
                return self._quant(e, scope)
            case _:
                assert_never(e)

    def _lit(self, e: ir.Lit) -> Any:
        v = e.value
        if isinstance(v, bool | int):
            return v
        if isinstance(v, ir.EnumVal):
            return self.layout.code(EnumT(v.enum), v)
        return self.layout.code(SortT(v.sort), v)

    def _read(self, e: ir.Read, scope: dict[str, int]) -> Fn:
        vl = self.layout.vars[e.name]
        base = vl.base
        if all(isinstance(a, ir.Lit) for a in e.args):
            k = base + sum((self._lit(a) - off) * st  # type: ignore[arg-type]
                           for a, off, st in zip(e.args, vl.offsets, vl.strides, strict=True))
            return lambda s, env: s[k]
        if len(e.args) == 1:
            a, off, st = e.args[0], vl.offsets[0], vl.strides[0]
            if isinstance(a, ir.Local) and st == 1:
                j, b = scope[a.name], base - off
                return lambda s, env: s[b + env[j]]
            f = self.compile(a, scope)
            b = base - off * st
            return lambda s, env: s[b + f(s, env) * st]
        fs = tuple(self.compile(a, scope) for a in e.args)
        b = base - sum(off * st for off, st in zip(vl.offsets, vl.strides, strict=True))
        sts = vl.strides
        if len(fs) == 2:
            f0, f1 = fs
            s0, s1 = sts
            return lambda s, env: s[b + f0(s, env) * s0 + f1(s, env) * s1]
        pairs = tuple(zip(fs, sts, strict=True))
        return lambda s, env: s[b + sum(f(s, env) * st for f, st in pairs)]

    def _binary(self, e: ir.Binary, scope: dict[str, int]) -> Fn:
        if isinstance(e.rhs, ir.Lit) and isinstance(e.lhs, ir.Read) and e.op in _ENTRY_CONST:
            at = self._entry_at(e.lhs, scope)
            if at is not None:
                return _ENTRY_CONST[e.op](at[0], at[1], self._lit(e.rhs))
        a = self.compile(e.lhs, scope)
        if isinstance(e.rhs, ir.Lit) and e.op in (BinOp.EQ, BinOp.NE, BinOp.ADD, BinOp.SUB, BinOp.LT,
                                                   BinOp.LE, BinOp.GT, BinOp.GE):
            return _binary_const(e.op, a, self._lit(e.rhs))
        b = self.compile(e.rhs, scope)
        match e.op:
            case BinOp.AND:
                # operands are bools or 0/1 slot values, so `and`/`or` need no bool()
                return lambda s, env: a(s, env) and b(s, env)
            case BinOp.OR:
                return lambda s, env: a(s, env) or b(s, env)
            case BinOp.IMPLIES:
                return lambda s, env: (not a(s, env)) or b(s, env)
            case BinOp.IFF:
                return lambda s, env: (not a(s, env)) == (not b(s, env))
            case BinOp.EQ:
                return lambda s, env: a(s, env) == b(s, env)
            case BinOp.NE:
                return lambda s, env: a(s, env) != b(s, env)
            case BinOp.LT:
                return lambda s, env: a(s, env) < b(s, env)
            case BinOp.LE:
                return lambda s, env: a(s, env) <= b(s, env)
            case BinOp.GT:
                return lambda s, env: a(s, env) > b(s, env)
            case BinOp.GE:
                return lambda s, env: a(s, env) >= b(s, env)
            case BinOp.ADD:
                return lambda s, env: a(s, env) + b(s, env)
            case BinOp.SUB:
                return lambda s, env: a(s, env) - b(s, env)
            case BinOp.MUL:
                return lambda s, env: a(s, env) * b(s, env)
            case _:
                assert_never(e.op)

    def _entry_at(self, e: ir.Read, scope: dict[str, int]) -> tuple[int, int] | None:
        """`(base, env slot)` for `f[x]` with one local argument and stride 1."""
        vl = self.layout.vars[e.name]
        if len(e.args) == 1 and isinstance(e.args[0], ir.Local) and vl.strides[0] == 1:
            return vl.base - vl.offsets[0], scope[e.args[0].name]
        return None

    def _quant(self, e: ir.Quant, scope: dict[str, int]) -> Fn:
        j = self.alloc()
        body = self.compile(e.body, {**scope, e.var: j})
        dom = self.layout.codes(e.domain)
        match e.kind:
            case QuantKind.FORALL:
                def forall(s: Sequence[int], env: list[Any]) -> bool:
                    for d in dom:
                        env[j] = d
                        if not body(s, env):
                            return False
                    return True
                return forall
            case QuantKind.EXISTS:
                def exists(s: Sequence[int], env: list[Any]) -> bool:
                    for d in dom:
                        env[j] = d
                        if body(s, env):
                            return True
                    return False
                return exists
            case QuantKind.COUNT:
                def count(s: Sequence[int], env: list[Any]) -> int:
                    n = 0
                    for d in dom:
                        env[j] = d
                        if body(s, env):
                            n += 1
                    return n
                return count
            case _:
                assert_never(e.kind)


def _binary_const(op: BinOp, a: Fn, c: Any) -> Fn:
    """`a OP literal`: the most common shape in guards, one call fewer."""
    match op:
        case BinOp.EQ:
            return lambda s, env: a(s, env) == c
        case BinOp.NE:
            return lambda s, env: a(s, env) != c
        case BinOp.ADD:
            return lambda s, env: a(s, env) + c
        case BinOp.SUB:
            return lambda s, env: a(s, env) - c
        case BinOp.LT:
            return lambda s, env: a(s, env) < c
        case BinOp.LE:
            return lambda s, env: a(s, env) <= c
        case BinOp.GT:
            return lambda s, env: a(s, env) > c
        case BinOp.GE:
            return lambda s, env: a(s, env) >= c
        case _:
            raise AssertionError(op)


# `f[x] OP literal` with x a local: the guard of nearly every parameterised action
_ENTRY_CONST: Mapping[BinOp, Callable[[int, int, Any], Fn]] = MappingProxyType({
    BinOp.EQ: lambda b, j, c: lambda s, env: s[b + env[j]] == c,
    BinOp.NE: lambda b, j, c: lambda s, env: s[b + env[j]] != c,
    BinOp.GT: lambda b, j, c: lambda s, env: s[b + env[j]] > c,
    BinOp.GE: lambda b, j, c: lambda s, env: s[b + env[j]] >= c,
    BinOp.LT: lambda b, j, c: lambda s, env: s[b + env[j]] < c,
    BinOp.LE: lambda b, j, c: lambda s, env: s[b + env[j]] <= c,
    BinOp.ADD: lambda b, j, c: lambda s, env: s[b + env[j]] + c,
    BinOp.SUB: lambda b, j, c: lambda s, env: s[b + env[j]] - c,
})


def conjoin(fns: Sequence[Fn]) -> Fn | None:
    """`f1 and f2 and ...` as nested closures (no generator per call); None for no conjunct."""
    if not fns:
        return None
    acc = fns[-1]
    for f in reversed(fns[:-1]):
        acc = (lambda a, b: lambda s, env: a(s, env) and b(s, env))(f, acc)
    return acc
