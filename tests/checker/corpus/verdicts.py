"""The truth about every property of the corpus models (worked out by hand, with the reasoning in
each model's comments), which every engine's verdict must be consistent with.

A truth is one of: the property holds; it is violated, the shortest trace having depth d; the
reachable goal is reached, the shortest witness having depth d; the goal is unreachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Truth:
    kind: Kind
    depth: int | None = None  # shortest trace depth (VIOLATED / REACHABLE)


HOLDS = Truth(Kind.HOLDS)
UNREACHABLE = Truth(Kind.UNREACHABLE)


def violated(depth: int) -> Truth:
    return Truth(Kind.VIOLATED, depth)


def reachable(depth: int) -> Truth:
    return Truth(Kind.REACHABLE, depth)


# model file -> property -> truth (every property of the model, range properties included)
VERDICTS: dict[str, dict[str, Truth]] = {
    "mutex_good.spec": {"mutex": HOLDS, "someone_crit": reachable(2), "both_waiting": reachable(2)},
    "mutex_broken.spec": {"mutex": violated(6)},
    "counter_overflow.spec": {"small": HOLDS, "n:range": violated(4)},
    "counter_guarded.spec": {"full": reachable(3), "beyond": UNREACHABLE, "nonneg": HOLDS, "n:range": HOLDS},
    "unreachable_goal.spec": {"differ": UNREACHABLE, "both_set": reachable(1), "same": HOLDS},
    "deep_assert.spec": {"c_small": violated(9), "c:range": HOLDS},
    "k_induction.spec": {"nb": HOLDS},
    "pdr_only.spec": {"small": HOLDS, "x:range": HOLDS},
    "choose_grab.spec": {"one_free": violated(3), "two_owned": reachable(2)},
    "forall_broadcast.spec": {"all_stale": reachable(1), "mixed": reachable(2), "some_fresh_or_all_stale": HOLDS},
    "forall_overflow.spec": {"equal": HOLDS, "cnt:range": violated(3)},
    "forall_disabled.spec": {"sweep_ok": violated(4), "any_done": reachable(3), "done_ready": HOLDS},
    "init_block.spec": {"y_above": HOLDS, "y_top": reachable(1), "x_two": UNREACHABLE, "y:range": HOLDS},
    "init_assert.spec": {"init_ok": violated(0), "below": HOLDS, "x:range": HOLDS},
    "assume_bound.spec": {"le3": HOLDS, "three": reachable(3), "four": UNREACHABLE, "x:range": HOLDS},
    "unconstrained.spec": {"always_a": violated(0), "b_true": reachable(0), "b_false": reachable(0)},
    "enum_cycle.spec": {"yellow": reachable(2), "not_green_after_three": violated(10), "cycles:range": violated(12)},
    "refcount.spec": {"zero": reachable(1), "ref:range": violated(2)},
    "param_fix.spec": {"no_uaf": violated(3)},
    "two_index.spec": {"no_uaf": HOLDS, "double_map": reachable(3)},
    "uaf_broken.spec": {"no_uaf": violated(3)},
    "fault_race_fixed.spec": {"ept_private": HOLDS, "mapped": reachable(3)},
    "fault_race_broken.spec": {"ept_private": violated(4), "mapped": reachable(3)},
    "nested_forall.spec": {"uniform": HOLDS, "all_set": reachable(1)},
    "count_ite.spec": {"at_most_two": violated(3), "iff_ok": HOLDS},
    "local_reassign.spec": {"v_le2": HOLDS, "v_two": reachable(1), "pick.k:range": HOLDS, "v:range": HOLDS},
    "check_before_require.spec": {"probe_ok": violated(3), "never": HOLDS, "x:range": HOLDS},
    "doubling.spec": {"eight": reachable(3), "n:range": violated(4)},
    "dead_action.spec": {"b_needs_a": HOLDS},
}

# Properties whose proof needs k-induction with this k (k > 1: the property is not inductive).
INDUCTION_K: dict[tuple[str, str], int] = {("k_induction.spec", "nb"): 2, ("mutex_good.spec", "mutex"): 3}

# Properties that hold but that k-induction cannot prove with k <= 12 (PDR can).
NOT_K_INDUCTIVE: frozenset[tuple[str, str]] = frozenset({("pdr_only.spec", "small")})

# Actions that can never fire (dead), per model.
DEAD_ACTIONS: dict[str, frozenset[str]] = {"dead_action.spec": frozenset({"never"}),
                                           "check_before_require.spec": frozenset({"probe", "guarded"})}
