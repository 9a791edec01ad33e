"""Expected verdicts of the shipped models, as text tables: read them, run them, write them.

Two kinds of file live in tests/models/tables/:

- `MODEL.verdicts`: for one model, one table per value of `design`, with a row per property and
  a column per value of `hardware` it is checked on (tdx: every value; an arch model: its own,
  snp every value for its two properties of its own), followed by the dead actions of each
  column. A cell is a verdict code (see CODES).
- `scenarios.verdicts`: one row per (model, engine, parameter setting, property) for the stories
  docs/models.md tells: the historical bugs with their buggy and fixed values, and each kernel
  mitigation switched off (a setting may give sort sizes too, `Gfn=2`). A row records the verdict and, for a violation or a reached goal,
  the length of the shortest trace.

Every configuration is checked with the named engine; `SPEC_CHECK_UPDATE_GOLDEN=1` rewrites the
files from the current verdicts (review the diff before committing it). The tdx table's
configurations are checked by `spec-check explore models/tdx.spec --vary hardware,design`'s own
code (`explore_matrix`), whose text docs/models.md shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from checker import check
from checker.explore.matrix import Matrix
from checker.explore.run import explore_file
from checker.policy import DEAD_ACTION
from checker.report.matrix import render_text as render_matrix_text
from checker.result import Report, Verdict
from spec.ir import format_value

ROOT = Path(__file__).resolve().parents[2]
TABLES = Path(__file__).resolve().parent / "tables"

CODES = {
    Verdict.PROVED: "P",
    Verdict.PROVED_ALL_SIZES: "PA",
    Verdict.HOLDS_TO_DEPTH: "H",
    Verdict.VIOLATED: "V",
    Verdict.REACHED: "R",
    Verdict.UNREACHABLE: "U",
    Verdict.UNKNOWN: "?",
}
TIMEOUT_S = 300.0  # per configuration; far above what any of them needs


@dataclass(frozen=True)
class Config:
    """One check: a model, an engine, a parameter setting and (None: all) the properties."""

    model: str  # path relative to the repository root
    engine: str
    params: tuple[tuple[str, str], ...]
    props: tuple[str, ...] | None = None
    sizes: tuple[tuple[str, int], ...] = ()

    def label(self) -> str:
        return f"{self.model} [{self.engine}] " + " ".join(f"{k}={v}" for k, v in self.params + self.sizes)


@dataclass(frozen=True)
class Outcome:
    verdicts: Mapping[str, tuple[str, int | None]]  # property -> (code, trace length)
    dead: tuple[str, ...]  # actions that never fire


def run_config(cfg: Config) -> Outcome:
    """Check one configuration (module-level so worker processes can run it)."""
    rep = check(str(ROOT / cfg.model), properties=list(cfg.props) if cfg.props else None, engine=cfg.engine,
                params=dict(cfg.params), sizes=dict(cfg.sizes), timeout=TIMEOUT_S, vacuity_goals=False)
    return outcome(rep)


def outcome(rep: Report) -> Outcome:
    verdicts = {}
    for r in rep.results:
        depth = r.trace.depth if r.trace is not None else None
        verdicts[r.prop] = (CODES[r.verdict], depth)
    dead = sorted(_action_named(w.message) for w in rep.warnings if w.code == DEAD_ACTION)
    return Outcome(verdicts, tuple(dead))


def _action_named(message: str) -> str:
    m = re.search(r"`([^`]+)`", message)
    return m.group(1) if m else message


def run_all(configs: Iterable[Config], jobs: int) -> dict[Config, Outcome]:
    todo = list(dict.fromkeys(configs))
    if jobs <= 1:
        return {c: run_config(c) for c in todo}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return dict(zip(todo, pool.map(run_config, todo), strict=True))


# ---------------------------------------------------------------- model tables


@dataclass
class ModelTable:
    """The expected verdicts of one model over design x hardware."""

    header: list[str]  # comment lines kept verbatim
    model: str
    engine: str
    hardware: list[str]
    # design -> property -> hardware -> code
    cells: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    # design -> hardware -> dead actions
    dead: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def configs(self) -> list[Config]:
        return [Config(self.model, self.engine, (("design", d), ("hardware", h)))
                for d in self.cells for h in self.hardware]


def read_model_table(path: Path) -> ModelTable:
    header, model, engine, hardware = [], "", "", []
    table = ModelTable(header, model, engine, hardware)
    design = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if design is None and line.startswith("#"):
                header.append(raw)
            continue
        word, _, rest = line.partition(" ")
        if word == "model":
            table.model = rest.strip()
        elif word == "engine":
            table.engine = rest.strip()
        elif word == "hardware:":
            table.hardware = rest.split()
        elif word == "table":
            design = rest.strip().removeprefix("design=")
            table.cells[design] = {}
            table.dead[design] = {}
        elif word == "dead":
            assert design is not None, f"{path}: `dead` before any table"
            hw, _, names = rest.partition(":")
            table.dead[design][hw.strip()] = tuple(names.split())
        elif word == "property":
            continue
        else:
            assert design is not None, f"{path}: row before any table: {line}"
            codes = rest.split()
            assert len(codes) == len(table.hardware), f"{path}: {word} has {len(codes)} cells"
            table.cells[design][word] = dict(zip(table.hardware, codes, strict=True))
    return table


def format_model_table(t: ModelTable) -> str:
    out = list(t.header) + ["", f"model {t.model}", f"engine {t.engine}", "hardware: " + " ".join(t.hardware)]
    width = max((len(p) for rows in t.cells.values() for p in rows), default=8) + 2
    for design, rows in t.cells.items():
        out += ["", f"table design={design}", "property".ljust(width) + "  ".join(h.ljust(4) for h in t.hardware)]
        for prop, cells in rows.items():
            out.append(prop.ljust(width) + "  ".join(cells[h].ljust(4) for h in t.hardware).rstrip())
        for hw in t.hardware:
            out.append(f"dead {hw}: " + " ".join(t.dead.get(design, {}).get(hw, ())))
    return "\n".join(line.rstrip() for line in out) + "\n"


def updated_model_table(t: ModelTable, results: Mapping[Config, Outcome]) -> ModelTable:
    new = ModelTable(t.header, t.model, t.engine, t.hardware)
    for design in t.cells:
        rows: dict[str, dict[str, str]] = {}
        new.dead[design] = {}
        for hw in t.hardware:
            out = results[Config(t.model, t.engine, (("design", design), ("hardware", hw)))]
            for prop, (code, _depth) in out.verdicts.items():
                rows.setdefault(prop, {})[hw] = code
            new.dead[design][hw] = out.dead
        new.cells[design] = rows
    return new


# ---------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    model: str
    engine: str
    params: tuple[tuple[str, str], ...]
    prop: str
    code: str
    depth: int | None


def read_scenarios(path: Path) -> list[str | Scenario]:
    """The file's lines: comments and blank lines as text, rows as Scenarios (in file order)."""
    items: list[str | Scenario] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            items.append(raw)
            continue
        model, engine, params, prop, code, depth = line.split()
        kv = tuple((k, v) for k, _, v in (p.partition("=") for p in params.split(",")))
        items.append(Scenario(model, engine, kv, prop, code, None if depth == "-" else int(depth)))
    return items


def scenario_configs(rows: list[Scenario]) -> dict[Scenario, Config]:
    """One check per (model, engine, params), asking for every property its rows name."""
    props: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[str]] = {}
    for r in rows:
        props.setdefault((r.model, r.engine, r.params), []).append(r.prop)
    return {r: Config(f"models/{r.model}", r.engine, tuple(kv for kv in r.params if not _is_size(kv[0])),
                      tuple(props[(r.model, r.engine, r.params)]),
                      tuple((k, int(v)) for k, v in r.params if _is_size(k)))
            for r in rows}


def _is_size(name: str) -> bool:
    """A scenario's parameter column also holds instance sizes: `Gfn=2` (sorts are capitalised)."""
    return name[:1].isupper()


def format_scenarios(items: list[str | Scenario]) -> str:
    rows = [i for i in items if isinstance(i, Scenario)]

    def cols(r: Scenario) -> list[str]:
        return [r.model, r.engine, ",".join(f"{k}={v}" for k, v in r.params), r.prop, r.code,
                "-" if r.depth is None else str(r.depth)]

    widths = [max(len(cols(r)[i]) for r in rows) for i in range(5)]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        else:
            c = cols(item)
            out.append("  ".join(c[i].ljust(widths[i]) for i in range(5)) + "  " + c[5])
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the explore matrix

# docs/models.md shows `spec-check explore models/tdx.spec --vary hardware,design`; the tdx table
# is computed from the same run, so the matrix and the table cannot disagree.
EXPLORE_MODEL = "models/tdx.spec"
EXPLORE_VARY = "hardware,design"
EXPLORE_ENGINE = "explicit"


def explore_matrix(jobs: int) -> Matrix:
    """The matrix as `spec-check explore` computes it (no result cache)."""
    options = [("engine", EXPLORE_ENGINE), ("timeout", TIMEOUT_S), ("vacuity", False)]
    return explore_file(str(ROOT / EXPLORE_MODEL), [EXPLORE_VARY], [], [], options, jobs=jobs).matrix


def matrix_outcomes(m: Matrix) -> dict[Config, Outcome]:
    """The matrix's reports under the keys the model tables use."""
    out = {}
    for bindings, rep in m.rows:
        b = {k: format_value(v) for k, v in bindings}
        out[Config(EXPLORE_MODEL, EXPLORE_ENGINE, (("design", b["design"]), ("hardware", b["hardware"])))] = outcome(rep)
    return out


def matrix_table_text(m: Matrix) -> str:
    """The text the command prints, up to its traces (T1, T2, ...), which the docs leave out."""
    text = render_matrix_text(m, lambda _trace: "")
    end = text.find("\n\nT1: ")
    return text if end < 0 else text[:end + 1]


# ---------------------------------------------------------------- docs/models.md

DOCS = ROOT / "docs" / "models.md"
DOC_BLOCK = re.compile(r"(<!-- verdicts:(\w+):(\w+) -->\n)(.*?)(<!-- /verdicts -->)", re.S)
EXPLORE_BLOCK = re.compile(r"(<!-- explore:tdx -->\n)(.*?)(<!-- /explore -->)", re.S)


def markdown_table(t: ModelTable, design: str, skip: Iterable[str] = ()) -> str:
    """The verdicts of one design as a Markdown table (properties in `skip` left out)."""
    skip = set(skip)
    lines = ["| property | " + " | ".join(t.hardware) + " |", "|---|" + "---|" * len(t.hardware)]
    for prop, cells in t.cells[design].items():
        if prop not in skip:
            lines.append(f"| `{prop}` | " + " | ".join(cells[h] for h in t.hardware) + " |")
    return "\n".join(lines) + "\n"


def render_doc_blocks(text: str, tables: Mapping[str, ModelTable]) -> str:
    """docs/models.md with every `<!-- verdicts:MODEL:DESIGN -->` block re-rendered from the tables;
    the arch models show only the properties the TDX table does not already show."""
    common = {p for rows in tables["tdx"].cells.values() for p in rows}

    def block(m: re.Match[str]) -> str:
        model, design = m.group(2), m.group(3)
        body = markdown_table(tables[model], design, () if model == "tdx" else common)
        return m.group(1) + body + m.group(5)

    return DOC_BLOCK.sub(block, text)


def render_explore_block(text: str, matrix: Matrix) -> str:
    """docs/models.md with its `<!-- explore:tdx -->` block re-rendered from the matrix."""
    body = "```text\n" + matrix_table_text(matrix) + "```\n"
    return EXPLORE_BLOCK.sub(lambda m: m.group(1) + body + m.group(3), text)
