"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe,
for tests that must act on a page (fill a form, press its button) and read
what the browser itself says: console messages, among them Content Security
Policy violations, and computed styles. Only the standard library: the
browser reads \\0-terminated JSON commands on its fd 3 and writes replies and
events on its fd 4.

    with Chromium(binary, profile_dir) as b:
        b.navigate(url)
        b.evaluate("document.title")
        b.console            # every message logged so far (text)
"""
import fcntl
import json
import os
import select
import subprocess
import time


def _above_four(fd):
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Chromium:
    def __init__(self, binary, profile, timeout=60.0):
        self.timeout = timeout
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the child's ends, moved above 4 so that placing them at 3 and 4
        # cannot overwrite one with the other
        to_browser_r, from_browser_w = _above_four(to_browser_r), _above_four(from_browser_w)

        def fds():  # in the child: the pipe ends as fd 3 and fd 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--remote-debugging-pipe",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=fds)  # kept open: closing runs after fds()
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._next_id = 0
        self._events = []
        self.console = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self._call("Target.attachToTarget",
                                  {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self._call("Browser.close", timeout=10)
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read_message(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from the browser in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("the browser closed its DevTools pipe")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        m = json.loads(msg)
        if "method" in m:
            self._note(m)
        return m

    def _note(self, event):
        self._events.append(event)
        p = event.get("params", {})
        if event["method"] == "Log.entryAdded":
            self.console.append(p["entry"].get("text", ""))
        elif event["method"] == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", "")) for a in p.get("args", [])))
        elif event["method"] == "Runtime.exceptionThrown":
            self.console.append("exception: " + p["exceptionDetails"].get("text", ""))

    def _call(self, method, params=None, session=None, timeout=None):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self._next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def call(self, method, params=None):
        """Sends a command to the page's session; returns its result."""
        return self._call(method, params, self.session)

    def wait_event(self, method):
        """Waits for the next event `method` not yet waited for."""
        deadline = time.monotonic() + self.timeout
        while True:
            for i, e in enumerate(self._events):
                if e["method"] == method:
                    del self._events[: i + 1]
                    return e
            self._read_message(deadline)

    def navigate(self, url):
        """Loads url and waits for its load event."""
        self._events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def navigate_by(self, expression):
        """Evaluates expression (e.g. a button's click()), which makes the
        page navigate, and waits for the new page's load event."""
        self._events.clear()
        self.evaluate(expression)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page. DevTools
        evaluation is not subject to the page's CSP: the page itself runs
        no script."""
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")
