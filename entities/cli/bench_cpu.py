"""The bench's server-cost half: the app server's CPU seconds per full page load and per interaction, against a
blank Streamlit script served and driven the same way in the same run (the floor): once with `entities serve`'s
Streamlit options (the floor), once with Streamlit's defaults (a full gc.collect after every run, as the floor of
issue 15 was measured).

CPU is the served process's utime + stime (/proc/PID/stat): the script runs, the queries, serialization and the
background jobs all run in that one process. The background jobs' own idle CPU rate is measured first and
reported; "net" figures subtract it for the time each step took.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import queries
from entities import db
from entities.cli import serve
from entities.cli.bench_browser import CHROMIUM, CHROMIUM_ARGS, _wait_healthy, free_port, stop_process

ROUNDS = 10
IDLE_SETTLE_S = 15
BLANK = '''import streamlit as st

st.title("Blank")
st.write("A blank Streamlit script: the floor for the server's cost per page load and per rerun.")
st.button("Click", key="click")
'''
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _settled(page) -> None:
    """Wait until the script run the last action started has finished."""
    page.wait_for_timeout(200)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


class Served:
    def __init__(self, cmd: list[str], env: dict, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([*cmd, "--server.port", str(self.port)], env=env, stdout=log_path.open("w"),
                                     stderr=subprocess.STDOUT)
        _wait_healthy(self.url, self.proc, log_path)

    def cost(self, action, rounds: int = ROUNDS) -> list[tuple[float, float]]:
        """(cpu seconds, wall seconds) of each round of action()."""
        out = []
        for i in range(rounds):
            cpu, wall = cpu_seconds(self.proc.pid), time.perf_counter()
            action(i)
            out.append((cpu_seconds(self.proc.pid) - cpu, time.perf_counter() - wall))
        return out

    def stop(self) -> None:
        stop_process(self.proc)


def _summary(samples: list[tuple[float, float]], idle_rate: float) -> dict:
    """Means, not medians: /proc counts CPU in 10 ms ticks, so one round's figure is coarse but their sum is not."""
    cpu = [c for c, _ in samples]
    net = [max(0.0, c - idle_rate * w) for c, w in samples]
    return {"cpu_mean_s": statistics.mean(cpu), "net_mean_s": statistics.mean(net),
            "cpu_median_s": statistics.median(cpu), "wall_median_s": statistics.median(w for _, w in samples)}


def measure(source: Path, log=print) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    path = work / "served.duckdb"
    shutil.copyfile(source, path)
    (work / "blank.py").write_text(BLANK)
    con = db.connect(path, read_only=True)
    try:
        sample = queries.records(con, "bench_samples", n=1, seed=11)[0]
    finally:
        con.close()
    env = dict(os.environ, ENTITIES_DB=str(path))
    extra = ["--server.fileWatcherType", "none"]
    result: dict = {"rounds": ROUNDS}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.set_default_timeout(60_000)

            for name, options in (("floor", serve.DEFAULTS), ("floor_defaults", serve.BASE)):
                blank = Served([sys.executable, "-m", "streamlit", "run", str(work / "blank.py"), *options, *extra],
                               env, work / f"{name}.log")
                try:
                    def blank_load(_, blank=blank):
                        page.goto(blank.url)
                        page.get_by_text("A blank Streamlit script").wait_for()
                        _settled(page)

                    def blank_click(_):
                        page.get_by_role("button", name="Click").click()
                        _settled(page)

                    blank_load(0)
                    result[f"{name}_load"] = _summary(blank.cost(blank_load), 0.0)
                    result[f"{name}_rerun"] = _summary(blank.cost(blank_click), 0.0)
                finally:
                    blank.stop()

            app = Served([sys.executable, "-m", "entities.cli", "serve", "--db", str(path), *extra], env,
                         work / "app.log")
            try:
                time.sleep(IDLE_SETTLE_S)  # the jobs' first rounds after start (group sync, caches) are not idle
                cpu0, wall0 = cpu_seconds(app.proc.pid), time.perf_counter()
                time.sleep(10)
                idle = (cpu_seconds(app.proc.pid) - cpu0) / (time.perf_counter() - wall0)
                result["background_cpu_share"] = idle
                integration, type_ = sample["integration_id"], sample["type"]
                loads = {
                    "list": (f"/?integration={integration}&type={type_}", re.compile(r" · showing ")),
                    "detail": (f"/entity?id={sample['id']}", "Transaction history"),
                    "overview": ("/overview", "Error rate over time"),
                }
                for name, (target, text) in loads.items():
                    def load(_, target=target, text=text):
                        page.goto(app.url + target)
                        page.get_by_text(text).first.wait_for()
                        _settled(page)

                    load(0)  # the first load warms caches and imports
                    result[f"load_{name}"] = _summary(app.cost(load), idle)
                    log(f"  cpu: {name} load {result[f'load_{name}']['cpu_mean_s']:.3f} CPU-s")

                page.goto(f"{app.url}/?integration={integration}&type={type_}")
                page.get_by_text(re.compile(r" · showing ")).first.wait_for()
                _settled(page)
                labels = page.locator(".st-key-type").get_by_role("radio")
                labels.first.wait_for()
                count = labels.count()

                def type_change(i):
                    labels.nth((i + 1) % count).click()
                    _settled(page)

                result["interaction_list_type"] = _summary(app.cost(type_change), idle)

                def page_change(i):
                    box = page.locator(".st-key-page input")
                    if not box.count():
                        return
                    box.fill(str(1 + (i + 1) % 3))
                    box.press("Enter")
                    _settled(page)

                result["interaction_list_page"] = _summary(app.cost(page_change), idle)

                page.goto(f"{app.url}/overview")
                page.get_by_text("Error rate over time").first.wait_for()
                _settled(page)
                windows = ["7 days", "48 hours", "30 days"]

                def window_change(i):
                    option = page.get_by_role("option", name=re.compile(windows[i % len(windows)])).first
                    for _ in range(3):  # a Live refresh redrawing the page can close the list as it opens
                        page.locator(".st-key-window").click()
                        try:
                            option.wait_for(timeout=5_000)
                            break
                        except PlaywrightTimeout:
                            continue
                    option.click()
                    _settled(page)

                result["interaction_overview_window"] = _summary(app.cost(window_change), idle)
            finally:
                app.stop()
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def render(r: dict) -> list[str]:
    floors = {kind: (r[f"floor_{kind}"]["cpu_mean_s"], r[f"floor_defaults_{kind}"]["cpu_mean_s"])
              for kind in ("load", "rerun")}
    lines = [f"Server CPU per action (mean of {r['rounds']}). Floor = a blank Streamlit script in the same run, served "
             f"with entities serve's options: {floors['load'][0]:.3f} CPU-s per load, {floors['rerun'][0]:.3f} per "
             f"rerun; with Streamlit's defaults (full GC after each run): {floors['load'][1]:.3f} and "
             f"{floors['rerun'][1]:.3f}. Background jobs idle at {r['background_cpu_share'] * 100:.1f} % of a core, "
             "subtracted in 'net':"]
    for key, value in r.items():
        if not key.startswith(("load_", "interaction_")):
            continue
        same, defaults = floors["load" if key.startswith("load_") else "rerun"]
        cpu = value["cpu_mean_s"]
        lines.append(f"  {key.replace('_', ' '):<32} {cpu:.3f} CPU-s (net {value['net_mean_s']:.3f}) = "
                     f"{cpu / same:.1f}× floor, {cpu / defaults:.1f}× the defaults floor; "
                     f"wall {value['wall_median_s'] * 1000:.0f} ms")
    return lines
