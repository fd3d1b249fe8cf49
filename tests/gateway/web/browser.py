"""A small Chrome DevTools Protocol client: headless Chromium driven over its websocket.

Enough for the browser tests: open a page, run JavaScript in it, wait for a condition, take
a screenshot. Chromium is Debian's package (``.ci/run`` installs it); nothing is downloaded.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import websocket

from gateway.testing.waiting import wait_until

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--window-size=1366,900",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium with a fresh profile and one page (tab)."""

    def __init__(self, executable: str, profile: Path, *, timeout_s: float = 30) -> None:
        self.profile = profile
        self.timeout_s = timeout_s
        self._ids = itertools.count(1)
        self._log = (profile.parent / "chromium.log").open("wb")
        self._proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=self._log,
            stderr=self._log,
        )
        port_file = profile / "DevToolsActivePort"

        def written() -> bool:
            return port_file.exists() and len(port_file.read_text().splitlines()) >= 2

        wait_until(lambda: written() or self._proc.poll() is not None, timeout=timeout_s)
        if self._proc.poll() is not None:
            raise BrowserError(f"chromium exited {self._proc.returncode}; see {self._log.name}")
        port = int(port_file.read_text().splitlines()[0])
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=timeout_s).json()
        page = next(t for t in targets if t["type"] == "page")
        self._ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=timeout_s, suppress_origin=True
        )
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events met meanwhile are dropped)."""
        ident = next(self._ids)
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        out = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in out:
            raise BrowserError(f"{expression!r}: {out['exceptionDetails']}")
        return out.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> None:
        """Wait until the expression is truthy in the page."""

        def ready() -> bool:
            try:
                return bool(self.eval(expression))
            except BrowserError:
                return False  # mid-navigation: the context is being replaced

        wait_until(ready, timeout=timeout or self.timeout_s, interval=0.1)

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_loaded()

    def wait_loaded(self) -> None:
        self.wait_for("document.readyState === 'complete' && !!document.body")

    def click(self, selector: str) -> None:
        """Click an element (a form submit navigates: call wait_loaded or wait_for after)."""
        found = self.eval(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
            "if (!e) return false; e.click(); return true; })()"
        )
        if not found:
            raise BrowserError(f"no element {selector!r} on {self.eval('location.href')}")

    def fill(self, selector: str, value: str) -> None:
        ok = self.eval(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
            f"if (!e) return false; e.value = {json.dumps(value)}; "
            "e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()"
        )
        if not ok:
            raise BrowserError(f"no field {selector!r}")

    def text(self, selector: str) -> str:
        value = self.eval(
            f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''"
        )
        return str(value).strip()

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def close(self) -> None:
        try:
            self._ws.close()
        finally:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)
            self._log.close()
