"""The bench's browser half: filter change → repainted table in Chromium, and the app's RSS while browsing.

Starts `entities serve` on the database (a free 127.0.0.1 port), drives the list page with Playwright through
type tabs, the status filter and the reference search, and times each change until the table's caption shows the
new total. The expected totals come from entity_count, read before the app opens the file.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import queries
from entities import db
from entities.model import STATUS, TYPE
from entities.ui import listing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000
LIVE_WINDOW_SECONDS = 60.0
LIVE_SETTLE_SECONDS = 15.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu_pct(page, url: str, pid: int, live: int, window: float = LIVE_WINDOW_SECONDS) -> float:
    """Server CPU, in % of one core, while one browser session shows the overview and nothing is written:
    live=SECONDS refreshes its data part on that timer, live=0 is the same page standing still."""
    page.goto(f"{url}/overview?live={live}")
    page.get_by_text("● Live" if live else "Live is off").first.wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    time.sleep(LIVE_SETTLE_SECONDS)  # the first evaluations after opening (group sync, caches) are not "idle"
    began, used = time.perf_counter(), cpu_seconds(pid)
    time.sleep(window)
    return round(100 * (cpu_seconds(pid) - used) / (time.perf_counter() - began), 2)


def wait_quiet(pid: int, below_pct: float = 25.0, timeout: float = 180.0) -> float:
    """Seconds until the server uses under below_pct of a core over one second: the jobs a fresh start runs (the
    error groups' first refresh is seconds at 10M) are its start-up cost, not a filter change's."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        used = cpu_seconds(pid)
        time.sleep(1.0)
        if 100 * (cpu_seconds(pid) - used) < below_pct:
            break
    return round(time.perf_counter() - began, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in bytes."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) * 1024
    return found


# (action, value) steps from /?integration=I&type=order; each changes one widget, like a user would.
STEPS = (("type", "customer"), ("status", "error"), ("type", "article"), ("status", "pending"), ("q", None),
         ("type", "order"), ("q", ""), ("unstatus", "pending"), ("type", "stock"), ("unstatus", "error"),
         ("type", "order"))


def plan_states(con, integration: int, search: str) -> list[tuple[tuple, dict, int]]:
    """The list state after each step and its expected total (entity_count: the same filter as the page)."""
    state = {"type": "order", "status": [], "q": ""}
    states = []
    for action, value in STEPS:
        if action == "type":
            state["type"] = value
        elif action == "status":
            state["status"] = [*state["status"], value]
        elif action == "unstatus":
            state["status"] = [s for s in state["status"] if s != value]
        elif action == "q":
            state["q"] = search if value is None else value
        params = listing.filter_params(integration, state["type"], state["status"], state["q"])
        total = int(queries.scalar(con, "entity_count", **params))
        states.append(((action, search if action == "q" and value is None else value), dict(state), total))
    return states


def caption(type_key: str, total: int) -> re.Pattern:
    """The list's caption for that total, e.g. '1 article · showing' or '129,502 orders · showing'."""
    kind = TYPE[type_key]
    return re.compile(rf"^{total:,} ({kind.label.lower()}|{kind.singular.lower()}) · showing")


def shown(page, type_key: str, total: int):
    """What the list shows once it has repainted: the caption, or at zero rows the info box that replaces it."""
    if total == 0:
        return page.get_by_text(re.compile(rf"^No {TYPE[type_key].label.lower()} ")).first
    return page.get_by_text(caption(type_key, total))


def measure(source: Path, log=print, integration: int = 1) -> dict:
    """Serves a copy of source (the app's in-process worker writes), so the bench database stays pristine."""
    path = source.with_name(source.stem + "-serve.duckdb")
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    shutil.copyfile(source, path)
    try:
        return _measure(path, log, integration)
    finally:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)


def _measure(path: Path, log, integration: int) -> dict:
    from playwright.sync_api import sync_playwright

    con = db.connect(path, read_only=True)
    try:
        sample = queries.records(con, "bench_samples", n=2, seed=7)
        search = re.sub(r"\D", "", sample[0]["retriever_ref"])[:3] or sample[0]["retriever_ref"][:3]
        states = plan_states(con, integration, search)
        start_total = int(queries.scalar(con, "entity_count", **listing.filter_params(integration, "order")))
        detail_id = sample[1]["id"]
    finally:
        con.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "entities.cli", "serve", "--db", str(path), "--server.port", str(port),
           "--server.fileWatcherType", "none"]
    log_path = path.with_suffix(".serve.log")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=dict(os.environ), stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    result: dict = {"entities": path.name.removesuffix("-serve.duckdb"), "port": port, "search": search}
    try:
        _wait_healthy(url, proc, log_path)
        result["server_start_seconds"] = round(time.perf_counter() - started, 2)
        result["rss_idle_bytes"] = memory(proc.pid)["VmRSS"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            first = time.perf_counter()
            page.goto(f"{url}/?integration={integration}&type=order")
            shown(page, "order", start_total).wait_for()
            result["first_paint_ms"] = round((time.perf_counter() - first) * 1000, 1)
            result["settled_seconds"] = wait_quiet(proc.pid)
            log(f"  browser: first paint {result['first_paint_ms']:,.0f} ms; the server's start-up jobs settled "
                f"{result['settled_seconds']} s later")
            repaints = []
            for (action, value), state, total in states:
                elapsed = _change(page, action, value, state, total)
                repaints.append({"action": action, "value": value, "total": total, "ms": round(elapsed, 1)})
                log(f"  browser: {action}={value!r:<12} → {total:>9,} rows in {elapsed:7.1f} ms")
            result["repaints"] = repaints
            timings = sorted(r["ms"] for r in repaints)
            result["repaint_median_ms"] = round(statistics.median(timings), 1)
            result["repaint_p95_ms"] = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
            result["rss_after_list_bytes"] = memory(proc.pid)["VmRSS"]
            for name, target, text in (("detail", f"/entity?id={detail_id}", None),
                                       ("overview", "/overview", "Error rate over time")):
                began = time.perf_counter()
                page.goto(url + target)
                if text:
                    page.get_by_text(text).first.wait_for()
                else:
                    page.get_by_role("heading").first.wait_for()
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
                result[f"{name}_load_ms"] = round((time.perf_counter() - began) * 1000, 1)
                result[f"rss_after_{name}_bytes"] = memory(proc.pid)["VmRSS"]
            for live in (0, 10):
                pct = idle_cpu_pct(page, url, proc.pid, live)
                result[f"overview_live{live}_cpu_pct"] = pct
                log(f"  browser: overview with live={live}, nothing changing: server CPU {pct:.2f} % of a core "
                    f"over {LIVE_WINDOW_SECONDS:.0f} s")
            browser.close()
        peak = memory(proc.pid)
        result["rss_bytes"], result["rss_peak_bytes"] = peak["VmRSS"], peak["VmHWM"]
        log(f"  browser: repaint median {result['repaint_median_ms']} ms; app RSS peak "
            f"{peak['VmHWM'] / 2**20:,.0f} MiB")
    finally:
        stop_process(proc)
    return result


def stop_process(proc: subprocess.Popen, grace: float = 15) -> None:
    """Ends a served app the bench started: SIGTERM, then SIGKILL after `grace` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the app did not answer on {url} within {timeout:.0f} s (log: {log_path})")


def _change(page, action: str, value, state: dict, total: int) -> float:
    """Performs one widget change; returns ms until the caption shows the new total."""
    expected = shown(page, state["type"], total)
    if action == "type":
        button = page.locator(".st-key-type").get_by_role("radio", name=re.compile("^" + TYPE[value].label))
        began = time.perf_counter()
        button.click()
    elif action == "status":
        page.locator(".st-key-status").get_by_test_id("stMultiSelect").click()
        option = page.get_by_role("option", name=STATUS[value].label)
        began = time.perf_counter()
        option.click()
        page.keyboard.press("Escape")
    elif action == "unstatus":  # Backspace in the multiselect removes its last chip, the status added last
        page.locator(".st-key-status").get_by_role("combobox").click()
        began = time.perf_counter()
        page.keyboard.press("Backspace")
        page.keyboard.press("Escape")
    else:
        box = page.get_by_role("textbox", name="Search references")
        box.fill(value)
        began = time.perf_counter()
        box.press("Enter")
    try:
        expected.wait_for()
    except Exception:
        page.screenshot(path="/tmp/bench_browser_failure.png")
        raise
    return (time.perf_counter() - began) * 1000


# The list interactions timed idle and while `entities feed` writes: alternately another type tab (the page goes back
# to 1) and the next page. Each one's new state is told by the caption alone ('… customers · showing 1–50 · page 1
# of …'), whatever the totals are while the feed adds records.
INTERACTION_TYPES = ("customer", "order")


def state_caption(type_key: str, page_no: int) -> re.Pattern:
    kind = TYPE[type_key]
    return re.compile(rf"^[\d,]+ ({kind.label.lower()}|{kind.singular.lower()}) · showing [\d,]+–[\d,]+ · "
                      rf"page {page_no:,} of")


class ListPage:
    """One Chromium page on the list of `integration`, clicking through type tabs and pages."""

    def __init__(self, page, url: str, integration: int):
        self.page, self.step = page, 0
        page.goto(f"{url}/?integration={integration}&type={INTERACTION_TYPES[-1]}")
        page.get_by_text(state_caption(INTERACTION_TYPES[-1], 1)).wait_for()
        self.type_key = INTERACTION_TYPES[-1]

    def interact(self) -> float:
        """One click (the next type tab, or the next page); ms until the caption shows that state."""
        page = self.page
        if self.step % 2 == 1 and not page.locator(".st-key-page").count():
            self.step += 1  # one page only (a small database): another type tab instead
        if self.step % 2 == 0:
            self.type_key = INTERACTION_TYPES[(self.step // 2) % len(INTERACTION_TYPES)]
            expected = page.get_by_text(state_caption(self.type_key, 1))
            target = page.locator(".st-key-type").get_by_role("radio", name=re.compile("^" + TYPE[self.type_key].label))
        else:
            expected = page.get_by_text(state_caption(self.type_key, 2))
            target = page.locator(".st-key-page").get_by_test_id("stNumberInputStepUp")
        self.step += 1
        target.wait_for()
        began = time.perf_counter()
        target.click()
        expected.wait_for()
        took = (time.perf_counter() - began) * 1000
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
        return took

    def interactions(self, n: int) -> list[float]:
        return [self.interact() for _ in range(n)]


@contextmanager
def list_page(url: str, integration: int = 1):
    """A Chromium page on the served app's list (real Chromium through Playwright), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            yield ListPage(page, url, integration)
        finally:
            browser.close()


def summary(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))], 1),
            "max_ms": round(ordered[-1], 1)}
