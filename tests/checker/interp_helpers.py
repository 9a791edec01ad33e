"""Helpers for the interpreter / explicit-engine tests: load a model from text, and view states
as `{var: value}` (a function variable as the tuple of its entries in location order)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.interp.semantics import Semantics, Violation
from checker.result import State
from spec import ir
from spec.frontend import load_instance


def load(tmp_path: Path, text: str, sizes: dict[str, int] | None = None,
         params: dict[str, Any] | None = None, name: str = "m.spec") -> ir.Instance:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_instance(path, sizes=sizes, params=params)


def view(state: State) -> dict[str, Any]:
    """`{var: value}` for scalars, `{var: (v0, v1, ...)}` for functions (location order)."""
    out: dict[str, Any] = {}
    for (var, index), v in state:
        v = v.member if isinstance(v, ir.EnumVal) else v
        if index:
            out[var] = out.get(var, ()) + (v,)
        else:
            out[var] = v
    return out


def views(outs: Any) -> list[Any]:
    """States as views, violations as `("violation", prop)`; sorted for comparison."""
    res = [("violation", o.prop) if isinstance(o, Violation) else tuple(sorted(view(o).items())) for o in outs]
    return sorted(res, key=repr)


def make_state(sem: Semantics, **values: Any) -> State:
    """A state from `{var: value}` (functions as tuples in location order); enum members by name."""
    out = []
    for v in sem.instance.model.vars:
        locs = sem.instance.locations(v)
        raw = values[v.name]
        raw = raw if isinstance(raw, tuple) else (raw,)
        assert len(raw) == len(locs), v.name
        t = ir.domain_type(v.type)
        for idx, x in zip(locs, raw, strict=True):
            if isinstance(x, str):
                x = sem.instance.model.enum(t.name).value(x)  # type: ignore[union-attr]
            out.append(((v.name, idx), x))
    return State(tuple(out))


def ai(sem: Semantics, action: str, **args: Any):
    """The action instance `action(args)`; sort elements given as ints."""
    for inst in sem.action_instances():
        if inst.action != action:
            continue
        if all((v.index if isinstance(v, ir.Elem) else v) == args[k] for k, v in inst.args):
            return inst
    raise KeyError(action)
