"""A plain JSON-RPC client for `spec-check lsp` over pipes: what an editor does, no pygls on
this side. A reader thread queues every message; requests wait for their own response, and
notifications (published diagnostics) are kept for the test to look at."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

TIMEOUT_S = 60.0


class Client:
    def __init__(self, cwd: Path, env: dict[str, str] | None = None):
        exe = Path(sys.executable).parent / "spec-check"
        self.proc = subprocess.Popen([str(exe), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd, env=env)
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            assert length is not None
            self.messages.put(json.loads(out.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> dict[str, Any]:
        """The whole response: `result`, or `error` when the request failed."""
        self.next_id += 1
        rid = self.next_id
        self.send({"id": rid, "method": method, "params": params})
        while True:
            msg = self._next()
            if msg.get("id") == rid and "method" not in msg:
                return msg
            self._keep(msg)

    def _next(self) -> dict[str, Any]:
        msg = self.messages.get(timeout=TIMEOUT_S)
        if msg is None:
            raise EOFError(f"the server exited: {self.stderr()}")
        return msg

    def _keep(self, msg: dict[str, Any]) -> None:
        if "id" in msg and "method" in msg:  # a request from the server (e.g. registration): answer it
            self.send({"id": msg["id"], "result": None})
        else:
            self.notifications.append(msg)

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        """The next diagnostics published for `uri` (earlier ones kept are dropped)."""
        for i, msg in enumerate(self.notifications):
            if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                del self.notifications[:i + 1]
                return msg["params"]["diagnostics"]
        while True:
            msg = self._next()
            if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                return msg["params"]["diagnostics"]
            self._keep(msg)

    def initialize(self, root: Path) -> dict[str, Any]:
        got = self.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        self.notify("initialized", {})
        return got["result"]

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "spec", "version": 1,
            "text": path.read_text(encoding="utf-8") if text is None else text}})
        return uri

    def stop(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", None)
        return self.proc.wait(timeout=TIMEOUT_S)

    def stderr(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")[-3000:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
