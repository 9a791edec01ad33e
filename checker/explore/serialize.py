"""Reports to plain JSON-able data and back (for the result cache, baselines and explore's
parallel workers). Decoding validates everything and raises ValueError on anything unexpected,
so a corrupted or foreign cache entry can never be mistaken for a result.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from checker.result import (
    AllSizesNote,
    Certificate,
    Dependency,
    Failure,
    PropertyResult,
    Report,
    SearchStats,
    State,
    Step,
    Trace,
    Verdict,
    Warning_,
)
from spec.ir import Elem, EnumVal, Expect, PropKind, Value
from spec.source import NO_SPAN, Span

FORMAT_VERSION = 6  # 2: all-sizes notes and user lemmas in results; 3: what proofs rest on; 4: lassos;
# 5: the values a range violation tried to store; 6: the fairness liveness proofs rest on


def value_to_data(v: Value) -> Any:
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"int": v}
    if isinstance(v, EnumVal):
        return {"enum": v.enum, "member": v.member, "index": v.index}
    if isinstance(v, Elem):
        return {"sort": v.sort, "index": v.index}
    raise TypeError(f"not a value: {v!r}")


def value_from_data(d: Any) -> Value:
    if not isinstance(d, dict):
        raise ValueError(f"bad value {d!r}")
    if set(d) == {"bool"} and isinstance(d["bool"], bool):
        return d["bool"]
    if set(d) == {"int"} and isinstance(d["int"], int) and not isinstance(d["int"], bool):
        return d["int"]
    if set(d) == {"enum", "member", "index"}:
        return EnumVal(_str(d["enum"]), _str(d["member"]), _int(d["index"]))
    if set(d) == {"sort", "index"}:
        return Elem(_str(d["sort"]), _int(d["index"]))
    raise ValueError(f"bad value {d!r}")


def _str(x: Any) -> str:
    if not isinstance(x, str):
        raise ValueError(f"expected a string, got {x!r}")
    return x


def _int(x: Any) -> int:
    if not isinstance(x, int) or isinstance(x, bool):
        raise ValueError(f"expected an integer, got {x!r}")
    return x


def _opt(x: Any, f):
    return None if x is None else f(x)


def span_to_data(s: Span) -> Any:
    return [s.file, s.line, s.col, s.end_line, s.end_col]


def span_from_data(d: Any) -> Span:
    if d is None:
        return NO_SPAN
    if not (isinstance(d, list) and len(d) == 5):
        raise ValueError(f"bad span {d!r}")
    return Span(_str(d[0]), _int(d[1]), _int(d[2]), _int(d[3]), _int(d[4]))


def _pairs_to(pairs) -> list:
    return [[k, value_to_data(v)] for k, v in pairs]


def _pairs_from(d: Any) -> tuple:
    if not isinstance(d, list):
        raise ValueError("expected a list of pairs")
    return tuple((_str(k), value_from_data(v)) for k, v in d)


def state_to_data(s: State) -> Any:
    return [[var, [value_to_data(i) for i in index], value_to_data(v)] for (var, index), v in s.values]


def state_from_data(d: Any) -> State:
    if not isinstance(d, list):
        raise ValueError("bad state")
    return State(tuple(((_str(var), tuple(value_from_data(i) for i in index)), value_from_data(v))
                       for var, index, v in d))


def trace_to_data(t: Trace) -> Any:
    return {
        "steps": [{"action": s.action, "args": _pairs_to(s.args), "choices": _pairs_to(s.choices),
                   "state": _opt(s.state, state_to_data)} for s in t.steps],
        "failure": None if t.failure is None else {
            "prop": t.failure.prop, "message": t.failure.message, "span": span_to_data(t.failure.span),
            "attempted": [[loc, v] for loc, v in t.failure.attempted]},
        "loop_start": t.loop_start,
    }


def trace_from_data(d: Any) -> Trace:
    if not isinstance(d, dict):
        raise ValueError("bad trace")
    steps = tuple(Step(_opt(s["action"], _str), _pairs_from(s["args"]), _opt(s["state"], state_from_data),
                       _pairs_from(s.get("choices", []))) for s in d["steps"])
    f = d.get("failure")
    failure = None if f is None else Failure(_str(f["prop"]), _str(f["message"]), span_from_data(f.get("span")),
                                             tuple((_str(loc), _int(v)) for loc, v in f.get("attempted", [])))
    loop = d.get("loop_start")
    return Trace(steps, failure, loop if isinstance(loop, int) else None)


def result_to_data(r: PropertyResult) -> Any:
    cert = r.certificate
    return {
        "prop": r.prop, "kind": r.kind.value, "verdict": r.verdict.value, "engine": r.engine,
        "time_s": r.time_s, "depth": r.depth, "reason": r.reason, "assumptions": list(r.assumptions),
        "vacuity_of": r.vacuity_of, "trace": _opt(r.trace, trace_to_data),
        "certificate": None if cert is None else {"engine": cert.engine, "invariant": cert.invariant,
                                                  "smt2": dict(cert.smt2)},
        "lemmas": list(r.lemmas), "all_sizes": _opt(r.all_sizes, _note_to_data),
        "depends_on": None if r.depends_on is None else [
            {"kind": x.kind, "action": x.action, "span": span_to_data(x.span), "text": x.text, "disabled": x.disabled}
            for x in r.depends_on],
        "depends_note": r.depends_note, "expect": r.expect.value, "binding": _pairs_to(r.binding),
    }


def _dependency_from_data(d: Any) -> Dependency:
    return Dependency(_str(d["kind"]), _str(d["action"]), span_from_data(d["span"]), _str(d["text"]),
                      bool(d["disabled"]))


def _note_to_data(n: AllSizesNote) -> Any:
    return {"why": n.why, "trace": _opt(n.cti, trace_to_data), "sizes": n.sizes, "reachable": n.reachable}


def _note_from_data(d: Any) -> AllSizesNote:
    if not isinstance(d, dict):
        raise ValueError("bad all-sizes note")
    return AllSizesNote(_str(d["why"]), _opt(d["trace"], trace_from_data), _str(d["sizes"]), bool(d["reachable"]))


def result_from_data(d: Any) -> PropertyResult:
    if not isinstance(d, dict):
        raise ValueError("bad result")
    c = d.get("certificate")
    cert = None if c is None else Certificate(_str(c["engine"]), _str(c["invariant"]),
                                              {_str(k): _str(v) for k, v in c["smt2"].items()})
    time_s = d["time_s"]
    if not isinstance(time_s, int | float):
        raise ValueError("bad time")
    return PropertyResult(
        prop=_str(d["prop"]), kind=PropKind(d["kind"]), verdict=Verdict(d["verdict"]), engine=_str(d["engine"]),
        time_s=float(time_s), depth=_opt(d["depth"], _int), trace=_opt(d["trace"], trace_from_data),
        reason=_opt(d["reason"], _str), certificate=cert, assumptions=tuple(_str(a) for a in d["assumptions"]),
        vacuity_of=_opt(d.get("vacuity_of"), _str), all_sizes=_opt(d["all_sizes"], _note_from_data),
        lemmas=tuple(_str(x) for x in d["lemmas"]),
        depends_on=_opt(d["depends_on"], lambda xs: tuple(_dependency_from_data(x) for x in xs)),
        depends_note=_str(d["depends_note"]), expect=Expect(d.get("expect", Expect.REACHED.value)),
        binding=_pairs_from(d.get("binding", [])))


def report_to_data(rep: Report) -> Any:
    return {
        "format": FORMAT_VERSION, "model": rep.model, "file": rep.file, "config": rep.config,
        "time_s": rep.time_s, "interrupted": rep.interrupted,
        "results": [result_to_data(r) for r in rep.results],
        "warnings": [{"code": w.code, "message": w.message, "span": span_to_data(w.span),
                      "trace": _opt(w.trace, trace_to_data)} for w in rep.warnings],
        "stats": [asdict(s) for s in rep.stats],
    }


def _stats_from_data(d: Any) -> SearchStats:
    return SearchStats(_str(d["engine"]), _int(d["states"]), _int(d["transitions"]), _int(d["depth"]),
                       bool(d["exhaustive"]), float(d["time_s"]), tuple(_str(x) for x in d["symmetry"]),
                       _int(d["group"]), _opt(d["represented"], _int), _str(d["represented_note"]),
                       _str(d["purpose"]), bool(d["limited"]), _str(d["stop_reason"]))


def report_from_data(d: Any) -> Report:
    """Inverse of report_to_data; ValueError (never anything else) on malformed input."""
    try:
        if not isinstance(d, dict) or d.get("format") != FORMAT_VERSION:
            raise ValueError("not a spec-check report of this format version")
        warnings = tuple(Warning_(_str(w["code"]), _str(w["message"]), span_from_data(w.get("span")),
                                  _opt(w.get("trace"), trace_from_data)) for w in d["warnings"])
        return Report(_str(d["model"]), _str(d["file"]), _str(d["config"]),
                      tuple(result_from_data(r) for r in d["results"]), warnings, float(d["time_s"]),
                      bool(d["interrupted"]), tuple(_stats_from_data(s) for s in d.get("stats", ())))
    except (KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"malformed report: {err}") from None
