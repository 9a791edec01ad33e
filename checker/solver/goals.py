"""What the symbolic engines search for; ir.Property -> Goal (data only).

A goal is an event: a reachable state that satisfies an expression (the negation of an
invariant, or a reachable goal), a failing check of an assert or range property (in a step or
in the init block), or an action taking a step (for dead-action detection).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import assert_never

from spec import ir
from spec.ops import UnOp


class GoalKind(Enum):
    STATE = "state"  # a reachable state satisfies `expr`
    ERROR = "error"  # a reachable step (or the init block) fails a check of property `name`


@dataclass(frozen=True)
class Goal:
    """What an engine searches for: a bad state, an error outcome, or a cover state."""

    name: str
    kind: GoalKind
    expr: ir.Expr | None = None


def goal_of(prop: ir.Property) -> Goal:
    """The event that violates an invariant / assert / range, or that reaches a reachable goal."""
    match prop.kind:
        case ir.PropKind.INVARIANT:
            assert prop.expr is not None
            return Goal(prop.name, GoalKind.STATE, ir.Unary(UnOp.NOT, prop.expr, prop.expr.type))
        case ir.PropKind.REACHABLE:
            return Goal(prop.name, GoalKind.STATE, prop.expr)
        case ir.PropKind.ASSERT | ir.PropKind.RANGE:
            return Goal(prop.name, GoalKind.ERROR)
        case ir.PropKind.LIVENESS:  # checker/schedule.py gives these to checker/explicit/liveness.py only
            raise ValueError(f"liveness property `{prop.name}` has no safety goal")
        case _:
            assert_never(prop.kind)
