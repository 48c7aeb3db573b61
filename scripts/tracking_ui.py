#!/usr/bin/env python3
"""Opens TensorBoard's page in headless Chromium the way a person does: it waits, in real time, until the page
shows what is asked for (or a deadline passes), then saves the page's HTML and a screenshot.

    tracking_ui.py URL --runs=A,B,C --tag=loss/val --points=4 --html=OUT.html --png=OUT.png [--browser=chromium]

The page draws asynchronously (TensorBoard fetches runs, tags and then each chart's points), so a fixed budget
of time, real or virtual, is a race with it. This talks to Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: JSON messages ended by a NUL byte on file descriptors 3 and 4; standard library only)
and asks the page every half second whether it shows every run, the tag, and one SVG curve of `points` points
per run. Exit 0 when it does; 1 with what was missing at the deadline.
"""
import argparse
import base64
import json
import os
import re
import subprocess
import sys
import time

# a curve of TensorBoard's line chart with forceSVG: one path of `points` points, drawn at full opacity
CURVE = r'<path d="M[0-9.]+,[0-9.]+(L[0-9.]+,[0-9.]+){%d}" style="fill: none; stroke: rgb\([0-9, ]+\); opacity: 1;'


class Chromium:
    def __init__(self, browser, width, height):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4. dup2 leaves the copies inheritable, and
        # close_fds=False keeps them (it would close them after this runs); Python's own pipes close on exec.
        # Copied out of the way first: a pipe may itself be fd 3 or 4, and dup2 onto itself changes nothing.
        def fds():
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(r, 3)
            os.dup2(w, 4)
        self.proc = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
             f"--window-size={width},{height}", "--remote-debugging-pipe", "about:blank"],
            preexec_fn=fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.buffer = b""

    def call(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:  # answers come in order with events between them: skip to ours
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed its DevTools pipe (it exited)")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def close(self):
        self.proc.kill()
        self.proc.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("--runs", required=True, help="comma-separated run names the page must list")
    p.add_argument("--tag", required=True)
    p.add_argument("--points", type=int, required=True, help="points of each run's curve")
    p.add_argument("--html", required=True)
    p.add_argument("--png", required=True)
    p.add_argument("--browser", default="chromium")
    p.add_argument("--deadline", type=float, default=60, help="seconds")
    a = p.parse_args()
    runs = a.runs.split(",")
    curve = re.compile(CURVE % (a.points - 1))

    chrome = Chromium(a.browser, 1400, 1000)
    try:
        target = chrome.call("Target.createTarget", url=a.url)["targetId"]
        session = chrome.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        start = time.monotonic()
        while True:
            html = chrome.call("Runtime.evaluate", session,
                               expression="document.documentElement.outerHTML")["result"].get("value", "")
            missing = [r for r in runs if r not in html] + ([a.tag] if a.tag not in html else [])
            curves = len(curve.findall(html))
            if not missing and curves == len(runs):
                break
            if time.monotonic() - start > a.deadline:
                with open(a.html, "w") as f:
                    f.write(html)
                what = f"does not show {', '.join(missing)}" if missing else \
                    f"draws {curves} curves of {a.points} points, not {len(runs)}"
                print(f"error: after {a.deadline:.0f} s TensorBoard's page {what} (its HTML: {a.html})", file=sys.stderr)
                return 1
            time.sleep(0.5)
        waited = time.monotonic() - start
        with open(a.html, "w") as f:
            f.write(html)
        shot = chrome.call("Page.captureScreenshot", session, format="png")["data"]
        with open(a.png, "wb") as f:
            f.write(base64.b64decode(shot))
        print(f"tracking_ui: the page showed {len(runs)} runs and {a.tag} with {curves} curves after {waited:.1f} s; "
              f"screenshot {a.png}")
        return 0
    finally:
        chrome.close()


if __name__ == "__main__":
    sys.exit(main())
