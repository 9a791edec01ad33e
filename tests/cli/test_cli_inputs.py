"""Inputs that used to hang spec-check or eat gigabytes, end to end in a process of their own:
FIFOs and devices (named on the command line or included) and 4 MiB files of every shape. Each
run is killed after a generous 30 s (a hang fails the test, the time itself is not asserted)
and may use 512 MiB of address space, twice what lint needs: the old reader took 2.7 GB of
/dev/zero, and lark's old string and comment patterns 600 MB for one 4 MiB token."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from spec.source import MAX_FILE_BYTES

HANG = 30  # seconds: far above the fraction of a second these take
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs, devices and rlimits")


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))


def _spec_check(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, "-m", "checker.cli", *args], capture_output=True, text=True,
                              timeout=HANG, cwd=cwd, preexec_fn=_limit_memory,
                              env={**os.environ, "SPEC_CHECK_NO_CACHE": "1", "SPEC_CHECK_NO_PARSE_CACHE": "1",
                                   "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    except subprocess.TimeoutExpired:
        pytest.fail(f"spec-check {' '.join(args)} still ran after {HANG} s")


def _refused(r: subprocess.CompletedProcess[str], code: str, words: str) -> None:
    assert r.returncode == 2, r.stderr[-2000:]
    assert f"error[{code}]" in r.stderr and words in r.stderr, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and len(r.stderr) < 2000  # no 4 MiB line echoed


@posix_only
@pytest.mark.parametrize("command", ["lint", "check", "fmt"])
def test_a_fifo_on_the_command_line_is_refused_not_waited_on(tmp_path, command):
    os.mkfifo(tmp_path / "pipe.spec")
    _refused(_spec_check([command, "pipe.spec"], tmp_path), "E0201", "it is a FIFO, not a regular file")


@posix_only
def test_an_included_fifo_is_refused_at_the_include(tmp_path):
    os.mkfifo(tmp_path / "pipe.spec")
    (tmp_path / "m.spec").write_text('model m;\ninclude "pipe.spec";\nvar x: bool;\n', encoding="utf-8")
    r = _spec_check(["lint", "m.spec"], tmp_path)
    _refused(r, "E0201", "m.spec:2:1: error[E0201]: cannot read `pipe.spec`: it is a FIFO")
    assert '   2 | include "pipe.spec";' in r.stderr


@posix_only
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("command", ["lint", "fmt"])
def test_a_device_is_refused(tmp_path, device, command):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    _refused(_spec_check([command, device], tmp_path), "E0201", "it is a character device")


def _shapes() -> dict[str, tuple[bytes, str, str]]:
    """4 MiB inputs: the bytes, the code expected, a word of its message."""
    def fill(head: str, unit: str, tail: str = "") -> bytes:
        n = (MAX_FILE_BYTES - len(head) - len(tail)) // len(unit)
        return (head + unit * n + tail).encode()

    rng = random.Random(7)
    return {
        "and-chain": (fill("var a: bool;\ninvariant i: ", "a && ", "a;\n"), "E0111", "tokens"),
        "actions": (fill("var x: bool;\n", "action a() { x := !x; }\n"), "E0111", "tokens"),
        "parentheses": (fill("const K = ", "(", ""), "E0106", "nested more than 200 levels"),
        "random-bytes": (bytes(rng.getrandbits(8) for _ in range(MAX_FILE_BYTES)), "E0111", "tokens"),
        "comments": (fill("", "// a comment that goes on for a while, as comments do\n"), "E0111", "tokens"),
        "block-comment": (fill("/*", " ", "*/\nvar x: bool;\n"), "", ""),
        "unclosed-comments": (fill("var x: bool;\n/*", " a /*"), "E0108", "never closed"),
        "string": (fill('action a() "', "s", '" { skip; }\n'), "", ""),
    }


@posix_only
@pytest.mark.parametrize("shape", list(_shapes()))
def test_a_4_mib_file_of_any_shape_is_quick(tmp_path, shape):
    data, code, words = _shapes()[shape]
    assert len(data) <= MAX_FILE_BYTES
    (tmp_path / "big.spec").write_bytes(data)
    r = _spec_check(["lint", "big.spec"], tmp_path)
    if code:
        _refused(r, code, words)
    else:  # one 4 MiB token: accepted, in linear time and memory
        assert r.returncode == 0 and "big.spec: ok" in r.stdout, r.stderr[-2000:]
