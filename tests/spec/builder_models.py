"""Models written twice, as .spec text and with spec.builder, for tests/spec/test_builder.py.

`tdx()` is models/tdx.spec again, and `tdx()` and `pages()` are shown verbatim in
docs/python-api.md (a test keeps them so); `full()` uses every declaration and statement kind the
language has (components, consts, mitigation and range parameters, multi-argument functions,
init with choose, else-if chains, match, forall, named asserts, count, ?:, assume).
"""

from __future__ import annotations

from spec.builder import E, ModelBuilder


def tdx() -> ModelBuilder:
    m = ModelBuilder("tdx")
    Hardware = m.enum("Hardware", "tdx1", "tdx_fixed", "snp", "sev", "cca", "none")
    hardware = m.param("hardware", Hardware, Hardware.tdx1)
    Design = m.enum("Design", "rfc2021", "guest_memfd")
    design = m.param("design", Design, Design.guest_memfd)
    Page = m.sort("Page", size=3)
    Vcpu = m.sort("Vcpu", size=2)
    PageState = m.enum("PageState", "Free", "Shared", "Private")
    st = m.var("st", m.fun(Page, PageState), init=PageState.Free)
    ref = m.var("ref", m.fun(Page, m.range(0, 3)), init=0)
    map_ = m.var("map", m.fun(Page, m.range(0, 3)), init=0)
    ept = m.var("ept", m.fun(Page, bool), init=False)
    stale = m.var("stale", m.fun(Vcpu, bool), init=False)
    crashed = m.var("crashed", bool, init=False)
    owned = m.define("owned", Page, lambda p: st[p] == PageState.Private, returns=bool)

    with m.action("alloc", p=Page, doc="allocate") as (a, p):
        a.require(st[p] == PageState.Free)
        a.assign(st[p], PageState.Shared)
        a.assign(ref[p], ref[p] + 1)
    with m.action("punch_hole", p=Page, doc="fallocate(PUNCH_HOLE) on the guest fd",
                  cite="virt/kvm/guest_memfd.c: kvm_gmem_punch_hole") as (a, p):
        a.require(st[p] != PageState.Free)
        with a.if_(design == Design.guest_memfd):
            a.assign(ept[p], False)
            with a.forall(v=Vcpu) as v:
                a.assign(stale[v], True)
        a.assign(st[p], PageState.Free)
        a.assign(ref[p], ref[p] - 1)
    with m.action("host_write", p=Page, doc="userspace writes through its mapping") as (a, p):
        a.require(map_[p] > 0)
        with a.if_(st[p] == PageState.Private):
            with a.match(hardware) as mt:
                with mt.case(Hardware.tdx1):
                    a.assign(crashed, True)
                with mt.case(Hardware.snp, Hardware.cca):
                    a.skip()
                with mt.default():
                    a.skip()

    m.invariant("no_crash", ~crashed, doc="the host never takes a machine check")
    m.invariant("no_uaf", m.forall(Page, lambda p: ept[p].implies(owned(p))), doc="KVM never maps a freed page")
    m.reachable("private_mapped", m.exists(Page, lambda p: ept[p]))
    return m


FULL_TEXT = """\
model full;

const MAX = 3;
enum Mode { Off, On, Broken }
param mode: Mode = On;
mitigation param flush: bool = false;
param limit: 1..MAX = 2;
sort Page = MAX;
sort Vcpu = 2;

var cnt: 0..MAX = 0;
var owner: (Vcpu, Page) -> bool = false;
var cur: Vcpu;
var lvl: Page -> -2..2 = -1;
var md: Mode = Off;
var cp: Page;

def both(v: Vcpu, p: Page): bool = owner[v, p] && cnt < limit;
def base(): 0..MAX = 1;
def p0(): Page = cp;

init {
  choose v: Vcpu where v != cur;
  require !owner[v == cur ? cur : v, p0()];
}

component hw {
  enum Level { L0, L1 }
  var lv: Level = L0;
  var poisoned: Page -> bool = false;
  action raise_(p: Page) "hardware poisons a line" cite "SDM vol 3" {
    require lv == L0;
    lv := L1;
    poisoned[p] := !poisoned[p];
    assert named_hw: lv == L1;
  }
  invariant calm: lv == L0 || (exists p: Page :: poisoned[p]);
}

action step(v: Vcpu, p: Page) {
  if cnt == 0 {
    cnt := cnt + 1;
  } else if cnt == 1 {
    cnt := 2 * cnt - base();
  } else if cnt > 1 && flush {
    skip;
  } else {
    cnt := 0;
  }
  match md {
    Off => md := On;
    On, Broken => {
      md := Off;
      lvl[p] := -lvl[p];
    }
  }
  if owner[v, p] {
    owner[v, p] := false;
  } else {
    choose w: Vcpu where w != v;
    owner[w, p] := true;
  }
  forall q: Page {
    lvl[q] := (lvl[q] > 0 ? lvl[q] - 1 : 0);
  }
  assert ok: (count q: Page :: owner[v, q] <-> true) <= MAX;
  require hw.lv == hw.Level.L1 -> mode != Broken;
}

action tick() {
  require !(cnt >= MAX);
  cnt := cnt + 1;
}

invariant bounded "cnt stays small": (count p: Page :: lvl[p] <= -1) <= MAX;
invariant owners: forall v: Vcpu, p: Page :: both(v, p) -> owner[v, p];
reachable full_count: cnt == MAX;
assume sane "a vcpu is current": exists v: Vcpu :: v == cur;
"""


def full() -> ModelBuilder:
    m = ModelBuilder("full")
    MAX = m.const("MAX", 3)
    Mode = m.enum("Mode", "Off", "On", "Broken")
    mode = m.param("mode", Mode, Mode.On)
    flush = m.param("flush", bool, False, mitigation=True)
    limit = m.param("limit", m.range(1, MAX), 2)
    Page = m.sort("Page", size=MAX)
    Vcpu = m.sort("Vcpu", size=2)
    cnt = m.var("cnt", m.range(0, MAX), init=0)
    owner = m.var("owner", m.fun(Vcpu, Page, bool), init=False)
    cur = m.var("cur", Vcpu)
    lvl = m.var("lvl", m.fun(Page, m.range(-2, 2)), init=-1)
    md = m.var("md", Mode, init=Mode.Off)
    cp = m.var("cp", Page)
    both = m.define("both", Vcpu, Page, lambda v, p: owner[v, p] & (cnt < limit), returns=bool)
    base = m.define("base", 1, returns=m.range(0, MAX))
    p0 = m.define("p0", cp, returns=Page)

    with m.init() as i:
        v = i.choose(v=Vcpu, where=lambda v: v != cur)
        i.require(~owner[E.ite(v == cur, cur, v), p0()])

    with m.component("hw") as hw:
        Level = hw.enum("Level", "L0", "L1")
        lv = hw.var("lv", Level, init=Level.L0)
        poisoned = hw.var("poisoned", m.fun(Page, bool), init=False)
        with hw.action("raise_", p=Page, doc="hardware poisons a line", cite="SDM vol 3") as (a, p):
            a.require(lv == Level.L0)
            a.assign(lv, Level.L1)
            a.assign(poisoned[p], ~poisoned[p])
            a.assert_(lv == Level.L1, name="named_hw")
        hw.invariant("calm", (lv == Level.L0) | m.exists(Page, lambda p: poisoned[p]))

    with m.action("step", v=Vcpu, p=Page) as (a, v, p):
        with a.if_(cnt == 0):
            a.assign(cnt, cnt + 1)
        with a.elif_(cnt == 1):
            a.assign(cnt, 2 * cnt - base())
        with a.elif_((cnt > 1) & flush):
            a.skip()
        with a.else_():
            a.assign(cnt, 0)
        with a.match(md) as mt:
            with mt.case(Mode.Off):
                a.assign(md, Mode.On)
            with mt.case(Mode.On, Mode.Broken):
                a.assign(md, Mode.Off)
                a.assign(lvl[p], -lvl[p])
        with a.if_(owner[v, p]):
            a.assign(owner[v, p], False)
        with a.else_():
            w = a.choose(w=Vcpu, where=lambda w: w != v)
            a.assign(owner[w, p], True)
        with a.forall(q=Page) as q:
            a.assign(lvl[q], E.ite(lvl[q] > 0, lvl[q] - 1, 0))
        a.assert_(m.count(Page, lambda q: owner[v, q].iff(True)) <= MAX, name="ok")
        a.require((lv == Level.L1).implies(mode != Mode.Broken))

    with m.action("tick") as a:
        a.require(~(cnt >= MAX))
        a.assign(cnt, cnt + 1)

    m.invariant("bounded", m.count(Page, lambda p: lvl[p] <= -1) <= MAX, doc="cnt stays small")
    m.invariant("owners", m.forall(Vcpu, Page, lambda v, p: both(v, p).implies(owner[v, p])))
    m.reachable("full_count", cnt == MAX)
    m.assume("sane", m.exists(Vcpu, lambda v: v == cur), doc="a vcpu is current")
    return m


LIB_TEXT = """\
enum PageState { Free, Used }
sort Page = 2;
var st: Page -> PageState = Free;
component kvm {
  var mapped: Page -> bool = false;
}
"""

MAIN_TEXT = """\
model withlib;
include "lib.spec";

action use(p: Page) {
  require st[p] == Free;
  st[p] := Used;
  kvm.mapped[p] := true;
}

invariant mapped_used: forall p: Page :: kvm.mapped[p] -> st[p] == Used;
"""


def with_lib(lib_path: str) -> ModelBuilder:
    """MAIN_TEXT with the builder, including LIB_TEXT saved at `lib_path`."""
    m = ModelBuilder("withlib")
    lib = m.include(lib_path)
    with m.action("use", p=lib.Page) as (a, p):
        a.require(lib.st[p] == lib.PageState.Free)
        a.assign(lib.st[p], lib.PageState.Used)
        a.assign(lib.kvm.mapped[p], True)
    m.invariant("mapped_used", m.forall(lib.Page, lambda p: lib.kvm.mapped[p].implies(lib.st[p] == lib.PageState.Used)))
    return m


def pages(n_pages: int, design: str, with_reclaim: bool) -> ModelBuilder:
    m = ModelBuilder(f"pages_{design}_{n_pages}")
    Design = m.enum("Design", "rfc2021", "guest_memfd")
    d = m.param("design", Design, Design[design])
    Page = m.sort("Page", size=n_pages)
    State = m.enum("State", "Free", "Private")
    st = m.var("st", m.fun(Page, State), init=State.Free)
    mapped = m.var("mapped", m.fun(Page, bool), init=False)
    with m.action("free", p=Page) as (a, p):
        a.assign(st[p], State.Free)
        with a.if_(d == Design.guest_memfd):
            a.assign(mapped[p], False)
    if with_reclaim:                      # a structural variant: Python decides what exists
        with m.action("reclaim") as a:
            with a.forall(p=Page) as p:
                a.assign(mapped[p], mapped[p] & (st[p] == State.Private))
    m.invariant("no_stale", m.forall(Page, lambda p: mapped[p].implies(st[p] == State.Private)))
    return m
