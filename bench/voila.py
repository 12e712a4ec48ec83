"""bench voila: a 10-question module under h4s serve against the same quiz in plain Voilà, in the same run.

    .venv/bin/python bench/voila.py [--runs 7] [--bursts 3] [--clients 25] [--no-build]

Made in bench/_work/voila (gitignored):

* ``modules/90-bench-quiz``: a module (CONTRACTS.md layout) whose one quiz cell shows
  ``questions/quiz.yml``: 10 auto-graded questions of four types (single_choice, true_false,
  numeric, short_text);
* ``peer/peer.ipynb``: the same 10 questions written as plain ipywidgets, one cell per question
  (RadioButtons or Text + Button + Output, graded in Python in the kernel);
* a small book (``h4s build``) holding the module.

Three pages, alternating, each in a fresh headless Chromium context (sequential), each measured
when the servers are quiet (no CPU use for a moment):

  (a) plain ``voila peer.ipynb`` with default settings;
  (b) ``h4s serve``: the live (Voilà) page of the module, /live/voila/render/90-bench-quiz/module.ipynb;
  (c) ``h4s serve``: the module's page in the book, /modules/90-bench-quiz/module.html
      (quizzes graded by the server through /api/quiz once quiz_api is wired in; the script
      says whether the page it got still carries the keys and grades in the browser);
  (d) HTTP bursts only: (b) with ``h4s serve --preheat 90`` (one kernel of the module started
      before the burst; ``--no-preheat`` leaves it out).  ``h4s serve`` starts no kernel otherwise:
      a live page starts its own when it is asked for.

Metrics: navigation start -> all 10 questions interactive (every question's inputs and its check
button present and enabled, laid out); then, once the page has finished loading (network idle, as
a learner reads before answering), click Check on question 1 (right answer chosen) -> feedback
text visible; requests per page, WebSockets and hosts (other hosts are aborted).
Then, with plain HTTP from threads (127.0.0.1 only, one request per thread, bounded): 25
simultaneous requests of each page on a freshly started server: time until each response is
complete (Voilà streams the page; complete = the body ended and carries every widget output the
page has when unloaded: 10 for (a), 1 quiz widget for (b), 10 questions in the quiz payload for (c)),
median and max, and how many came back incomplete; RSS (and USS) of the kernel processes and of
the whole server process tree right after the burst.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import pprint
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import psutil
import yaml

from _util import ROOT, cpu_percent, fmt, machine, summary

WORK = ROOT / "bench" / "_work" / "voila"
BIN = Path(sys.executable).parent
MODULE = "90-bench-quiz"
N = 10
NAMES = ("plain", "live", "book")
LABEL = {"plain": "(a) plain voila peer.ipynb", "live": "(b) h4s serve /live/ (Voila)",
         "book": "(c) h4s serve book page", "pool": "(d) h4s serve --preheat 90 /live/"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# ------------------------------------------------------------------ the quiz

QUESTIONS = [
    {"id": "q1", "type": "single_choice", "text": "Which licence lets others remix a work if they credit the author "
     "and share alike?", "options": [
        {"id": "a", "text": "All rights reserved", "feedback": "No: that allows no remixing."},
        {"id": "b", "text": "CC BY-SA", "feedback": "Right: attribution, share alike."},
        {"id": "c", "text": "CC BY-ND", "feedback": "No: ND forbids derivatives."}], "answer": "b"},
    {"id": "q2", "type": "true_false", "text": "A learning outcome starts with what the learner can do.",
     "answer": True, "feedback_true": "Right.", "feedback_false": "No: outcomes say what the learner can do."},
    {"id": "q3", "type": "numeric", "text": "A quiz has 8 points and a pass mark of 0.75. How many points pass?",
     "answers": [{"value": 6, "feedback": "Right: 8 x 0.75 = 6."}], "unit": "points"},
    {"id": "q4", "type": "short_text", "text": "Which two letters in a CC licence mean 'credit the author'?",
     "answers": [{"text": "BY", "feedback": "Right."}, {"regex": "(cc[ -]?)?by"}]},
    {"id": "q5", "type": "single_choice", "text": "Which EQF level is the highest?", "options": [
        {"id": "a", "text": "1", "feedback": "No: 1 is the lowest."},
        {"id": "b", "text": "4", "feedback": "No."},
        {"id": "c", "text": "8", "feedback": "Right: 8 is the highest."}], "answer": "c"},
    {"id": "q6", "type": "true_false", "text": "Alt text is needed only for decorative images.",
     "answer": False, "feedback_true": "No: decorative images get empty alt text.", "feedback_false": "Right."},
    {"id": "q7", "type": "numeric", "text": "How many minutes are 1.5 hours?",
     "answers": [{"value": 90, "feedback": "Right."}], "unit": "minutes"},
    {"id": "q8", "type": "short_text", "text": "Which EU regulation protects personal data (four letters)?",
     "answers": [{"text": "GDPR", "feedback": "Right."}]},
    {"id": "q9", "type": "single_choice", "text": "What should feedback on a wrong option do?", "options": [
        {"id": "a", "text": "Say only 'wrong'", "feedback": "No: that teaches nothing."},
        {"id": "b", "text": "Explain the mistake", "feedback": "Right."},
        {"id": "c", "text": "Show the right answer at once", "feedback": "Not at once: let the learner think."}],
     "answer": "b"},
    {"id": "q10", "type": "numeric", "text": "What is 12.5 % of 80?",
     "answers": [{"value": 10, "tolerance": 0.01, "feedback": "Right."}]},
]

PEER_SETUP = r'''import re
import ipywidgets as w
from IPython.display import display

QUESTIONS = %s

def parse_number(text):
    try:
        return float(str(text).strip().replace(",", "."))
    except ValueError:
        return None

def grade(q, value):
    t = q["type"]
    if t == "single_choice":
        opt = next((o for o in q["options"] if o["text"] == value), None)
        if opt is None:
            return None, "Please choose an option."
        return opt["id"] == q["answer"], opt.get("feedback", "")
    if t == "true_false":
        if value is None:
            return None, "Please choose an option."
        ok = (value == "True") == q["answer"]
        return ok, q["feedback_true"] if value == "True" else q["feedback_false"]
    if t == "numeric":
        x = parse_number(value)
        if x is None:
            return None, "That is not a number."
        for a in q["answers"]:
            if abs(x - a["value"]) <= a.get("tolerance", 0):
                return True, a.get("feedback", "")
        return False, "Not quite."
    if t == "short_text":
        s = str(value).strip()
        for a in q["answers"]:
            if ("text" in a and s.lower() == a["text"].lower()) or ("regex" in a and re.fullmatch(a["regex"], s, re.I)):
                return True, a.get("feedback", "")
        return False, "Not quite."

def show(n):
    q = QUESTIONS[n]
    text = w.HTML("<b>Question %%d.</b> %%s" %% (n + 1, q["text"]))
    if q["type"] == "single_choice":
        inp = w.RadioButtons(options=[o["text"] for o in q["options"]], value=None)
    elif q["type"] == "true_false":
        inp = w.RadioButtons(options=["True", "False"], value=None)
    else:
        inp = w.Text(placeholder="your answer")
    btn = w.Button(description="Check")
    out = w.Output()

    def check(_):
        ok, msg = grade(q, inp.value)
        out.clear_output()
        verdict = "Please answer first" if ok is None else ("Correct" if ok else "Not quite")
        out.append_stdout(verdict + (": " + msg if msg else "") + "\n")

    btn.on_click(check)
    box = w.VBox([text, inp, btn, out])
    box.add_class("peer-q")
    display(box)
'''


def make_project() -> None:
    """Write the bench book (module + small home page) and the peer notebook into WORK."""
    if WORK.exists():
        shutil.rmtree(WORK)
    (WORK / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", WORK / "_config.yml")
    (WORK / "book" / "index.md").write_text("# Voila benchmark\n\nOne module with ten questions.\n")
    mod = WORK / "modules" / MODULE
    (mod / "questions").mkdir(parents=True)
    (mod / "media").mkdir()
    (mod / "media" / "credits.yml").write_text("[]\n")
    bank = {"schema_version": 1, "title": "Ten questions", "language": "en", "pass_mark": 0.6,
            "questions": QUESTIONS}
    (mod / "questions" / "quiz.yml").write_text(yaml.safe_dump(bank, sort_keys=False, allow_unicode=True))
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = kernelspec
    nb.metadata["h4s"] = {
        "id": MODULE, "title": "Benchmark: ten questions", "summary": "A module with one quiz of ten questions.",
        "outcomes": ["You can answer ten questions.", "You can read the feedback."], "eqf_level": 4,
        "duration_minutes": 45, "language": "en", "licence": "CC-BY-SA-4.0",
        "authors": ["Hack4Society contributors"], "status": "draft", "digcompedu": [5],
        "keywords": ["benchmark"], "audience": ["VET learners"], "closing_quiz": "questions/quiz.yml"}
    quiz = nbformat.v4.new_code_cell(
        f'from h4s_widgets import Quiz\nQuiz("questions/quiz.yml", module="{MODULE}", title="Ten questions")')
    quiz.metadata["tags"] = ["remove-input"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Benchmark: ten questions"),
                nbformat.v4.new_markdown_cell("## Check yourself\n\nAnswer the ten questions below."), quiz]
    nbformat.write(nb, mod / "module.ipynb")
    peer = nbformat.v4.new_notebook()
    peer.metadata["kernelspec"] = kernelspec
    peer.cells = [nbformat.v4.new_markdown_cell("# Benchmark: ten questions (ipywidgets)"),
                  nbformat.v4.new_code_cell(PEER_SETUP % pprint.pformat(QUESTIONS, sort_dicts=False))]
    peer.cells += [nbformat.v4.new_code_cell(f"show({i})") for i in range(N)]
    (WORK / "peer").mkdir()
    nbformat.write(peer, WORK / "peer" / "peer.ipynb")


def build_book() -> None:
    subprocess.run([str(BIN / "h4s"), "build", "--root", str(WORK)], cwd=WORK, check=True,
                   stdout=subprocess.DEVNULL)


# ------------------------------------------------------------------ servers

def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


class Server:
    """One server process that this script started (and stops, with every process it made)."""

    def __init__(self, name: str, argv: list[str], cwd: Path, ready_url: str, env: dict | None = None):
        self.name, self.argv, self.cwd, self.ready_url, self.env = name, argv, cwd, ready_url, env
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> "Server":
        log = open(WORK / f"{self.name}.log", "ab")
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {WORK / (self.name + '.log')}")
            try:
                if http_get(self.ready_url, 2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s")

    def tree(self) -> list[psutil.Process]:
        try:
            p = psutil.Process(self.proc.pid)
            return [p] + p.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kernels(self) -> list[psutil.Process]:
        out = []
        for p in self.tree():
            try:
                if any("ipykernel" in a for a in p.cmdline()):
                    out.append(p)
            except psutil.Error:
                pass
        return out

    def memory(self) -> dict:
        """RSS/USS (MB) of the kernel processes and of the whole process tree."""
        def mem(p):
            try:
                m = p.memory_full_info()
                return m.rss / 2**20, m.uss / 2**20
            except psutil.Error:
                return None
        ks = [m for m in map(mem, self.kernels()) if m]
        tree = [m for m in map(mem, self.tree()) if m]
        return {"kernels": len(ks),
                "kernel_rss_median": statistics.median([k[0] for k in ks]) if ks else 0.0,
                "kernel_rss_total": sum(k[0] for k in ks), "kernel_uss_total": sum(k[1] for k in ks),
                "tree_rss_total": sum(t[0] for t in tree), "tree_uss_total": sum(t[1] for t in tree),
                "processes": len(tree)}

    def cpu_quiet(self, limit: float = 60, threshold: float = 5.0) -> float:
        """Wait until the process tree used < threshold % CPU over 0.5 s (at most ``limit`` s); seconds waited."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            if cpu_percent(self.tree(), 0.5) < threshold:
                break
        return time.monotonic() - t0

    def stop(self) -> None:
        if self.proc is None:
            return
        procs = self.tree()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        _, alive = psutil.wait_procs(procs, timeout=10)
        for p in alive:  # only processes this server started (collected by id above)
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(alive, timeout=5)
        self.proc = None


def plain_server(port: int) -> Server:
    # default settings: no preheating, no culling, streamed rendering
    return Server("plain", [str(BIN / "voila"), "peer.ipynb", "--no-browser", f"--port={port}"], WORK / "peer",
                  f"http://127.0.0.1:{port}/voila/static/voila.js")


def h4s_server(port: int, preheat: bool = False) -> Server:
    env = dict(os.environ, H4S_DATA_DIR=str(WORK / "h4s-data"))
    return Server("h4s", [str(BIN / "h4s"), "serve", "--no-build", f"--port={port}"]
                  + (["--preheat", MODULE] if preheat else []), WORK, f"http://127.0.0.1:{port}/", env=env)


def wait_pool(srv: Server, n: int = 0, limit: float = 90) -> None:
    """h4s serve: wait until the preheated kernel(s) (if any) exist and the server is quiet."""
    t0 = time.monotonic()
    while len(srv.kernels()) < n and time.monotonic() - t0 < limit:
        time.sleep(0.3)
    srv.cpu_quiet(limit=max(5.0, limit - (time.monotonic() - t0)))


# ------------------------------------------------------------------ browser

INTERACTIVE = {
    # every question: its inputs and its check button present, enabled, laid out
    "h4s": """() => { const qs = [...document.querySelectorAll('.h4s-question')];
        if (qs.length < %d) return false;
        const ok = qs.every(q => { const i = [...q.querySelectorAll('input, select, textarea')];
            const b = q.querySelector('.h4s-check');
            return i.length > 0 && i.every(x => !x.disabled) && b && !b.disabled
                && b.getAttribute('aria-disabled') !== 'true' && q.offsetParent !== null; });
        return ok ? performance.now() : false; }""" % N,
    "plain": """() => { const qs = [...document.querySelectorAll('.peer-q')];
        if (qs.length < %d) return false;
        const ok = qs.every(q => { const i = [...q.querySelectorAll('input')];
            const b = q.querySelector('button');
            return i.length > 0 && i.every(x => !x.disabled) && b && !b.disabled && q.offsetParent !== null; });
        return ok ? performance.now() : false; }""" % N,
}
# where the time goes: first byte, HTML complete, DOMContentLoaded, load event, last script loaded (s)
NAV_TIMING = """() => { const n = performance.getEntriesByType('navigation')[0];
    const js = performance.getEntriesByType('resource').filter(r => r.initiatorType === 'script'
        || /\\.m?js(\\?|$)/.test(r.name));
    return {ttfb: n.responseStart / 1000, html_done: n.responseEnd / 1000, dcl: n.domContentLoadedEventEnd / 1000,
            load: n.loadEventEnd / 1000, scripts: js.length,
            last_script: js.length ? Math.max(...js.map(r => r.responseEnd)) / 1000 : 0}; }"""
# question 1: choose the right option, remember when Check is clicked
ARM = """(sel) => { window.__h4sBenchClick = null;
    document.addEventListener('click', e => { if (e.target.closest(sel)) window.__h4sBenchClick = performance.now(); },
                              {capture: true}); }"""
FEEDBACK = {
    "h4s": """() => { const f = document.querySelector('.h4s-question[data-qid="q1"] .h4s-feedback');
        return window.__h4sBenchClick && f && f.innerText.trim() && f.offsetParent !== null
            ? performance.now() - window.__h4sBenchClick : false; }""",
    "plain": """() => { const q = document.querySelector('.peer-q');
        const o = q && q.querySelector('.jupyter-widget-output, .widget-output');
        return window.__h4sBenchClick && o && o.innerText.trim() && o.offsetParent !== null
            ? performance.now() - window.__h4sBenchClick : false; }""",
}


def browser_run(browser, url: str, kind: str) -> dict:
    ctx = browser.new_context()
    page = ctx.new_page()
    log: list[str] = []
    sockets: list[str] = []

    # log every request; abort those to other hosts (no internet here, as in many classrooms)
    page.on("request", lambda r: log.append(r.url))
    page.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])"), lambda r: r.abort())
    page.on("websocket", lambda ws: sockets.append(ws.url))
    out: dict = {}
    try:
        page.goto(url, wait_until="commit", timeout=120000)
        out["interactive"] = page.wait_for_function(INTERACTIVE[kind], timeout=120000, polling="raf").json_value() / 1000
        try:  # a learner reads before answering: click once the page has finished loading
            page.wait_for_load_state("networkidle", timeout=10000)
        except Exception:
            pass
        out.update(page.evaluate(NAV_TIMING))
        if kind == "h4s":
            q1 = page.locator('.h4s-question[data-qid="q1"]')
            q1.locator('input[value="b"]').check()
            btn = '.h4s-question[data-qid="q1"] .h4s-check'
        else:
            q1 = page.locator(".peer-q").first
            q1.get_by_label("CC BY-SA", exact=True).check()
            btn = ".peer-q button"
        page.evaluate(ARM, btn)
        api_before = sum("/api/quiz" in u for u in log)
        page.locator(btn).first.click()
        out["feedback"] = page.wait_for_function(FEEDBACK[kind], timeout=60000, polling="raf").json_value() / 1000
        out["feedback_text"] = (q1.locator(".h4s-feedback").inner_text() if kind == "h4s"
                                else q1.locator(".jupyter-widget-output, .widget-output").first.inner_text()).strip()
        out["api_calls"] = sum("/api/quiz" in u for u in log) - api_before
        page.wait_for_timeout(500)
    except Exception as e:
        out["error"] = str(e).splitlines()[0][:200]
    out["requests"] = len(log)
    out["hosts"] = dict(Counter(urlparse(u).hostname for u in log))
    out["websockets"] = len(sockets)
    try:  # leave the page as a learner does (Voila's "page closed" beacon), then close
        page.unroute_all()  # with request interception on, Chromium drops the beacon
        page.goto("about:blank", timeout=10000)
        page.wait_for_timeout(300)
    except Exception:
        pass
    ctx.close()
    return out


# ------------------------------------------------------------------ plain HTTP burst

def page_complete(kind: str, body: bytes) -> tuple[bool, str]:
    text = body.decode("utf-8", "replace")
    if "</html>" not in text[-2000:]:
        return False, "body not finished"
    if kind in ("plain", "live"):
        views = text.count("application/vnd.jupyter.widget-view+json")
        want = N if kind == "plain" else 1
        return views >= want, f"{views} widget view(s)"
    qs = 0
    for m in re.finditer(r'<script type="application/json" class="h4s-data">(.*?)</script>', text, re.S):
        qs += len(json.loads(m.group(1).replace("<\\/", "</"))["spec"]["questions"])
    return qs >= N, f"{qs} question(s) in the quiz payload"


def burst(url: str, kind: str, clients: int, timeout: float = 300) -> dict:
    results: list[dict] = [{} for _ in range(clients)]
    gate = threading.Barrier(clients + 1)

    def one(i: int) -> None:
        r = {"ok": False, "why": "request did not finish"}
        results[i] = r
        gate.wait()
        t0 = time.perf_counter()
        body = b""
        try:
            # as a browser asks: h4s serve answers gzip, plain Voila identity
            req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                first = resp.read(1)
                r["ttfb"] = time.perf_counter() - t0
                body = first + resp.read()
                r["status"] = resp.status
                if resp.headers.get("Content-Encoding") == "gzip":
                    r["wire"] = len(body)
                    body = gzip.decompress(body)
        except BaseException as e:  # HTTP errors, resets and time-outs count as incomplete
            r["why"] = f"{type(e).__name__}: {e}"[:120]
        r["t"] = time.perf_counter() - t0
        if body:
            try:
                r["ok"], r["why"] = page_complete(kind, body)
            except BaseException as e:
                r["why"] = f"unreadable page: {type(e).__name__}: {e}"[:120]

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    gate.wait()
    for t in threads:
        t.join(timeout + 30)
    return {"times": [r.get("t", timeout) for r in results], "ttfb": [r["ttfb"] for r in results if "ttfb" in r],
            "gzipped": sum(1 for r in results if "wire" in r),
            "incomplete": [r.get("why", "?") for r in results if not r.get("ok")]}


def check_burst(url: str, clients: int, timeout: float = 60) -> dict:
    """``clients`` learners press Check at once: POST /api/quiz/check (question 1, right answer)."""
    results: list[dict] = [{} for _ in range(clients)]
    gate = threading.Barrier(clients + 1)

    def one(i: int) -> None:
        body = json.dumps({"module": MODULE, "qid": "q1", "response": "b", "learner": f"bench-learner-{i:04d}",
                           "duration_s": 5}).encode()
        req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        gate.wait()
        t0 = time.perf_counter()
        r = {"ok": False}
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                r["ok"] = json.loads(resp.read()).get("result", {}).get("correct") is True
        except Exception as e:
            r["why"] = f"{type(e).__name__}: {e}"[:120]
        r["t"] = time.perf_counter() - t0
        results[i] = r

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    gate.wait()
    for t in threads:
        t.join(timeout + 10)
    return {"times": [r.get("t", timeout) for r in results], "failed": [r.get("why", "wrong grade") for r in results
                                                                         if not r.get("ok")]}


def page_payload_state(url: str) -> str:
    """What the book page served by h4s serve carries: keys for the browser, or a server to ask."""
    _, body = http_get(url, 30)
    text = body.decode("utf-8", "replace")
    payloads = [json.loads(m.group(1).replace("<\\/", "</")) for m in
                re.finditer(r'<script type="application/json" class="h4s-data">(.*?)</script>', text, re.S)]
    if not payloads:
        return "no quiz payload found"
    keys = sum(1 for p in payloads for e in p.get("static", []) if e.get("key"))
    server = sorted({p["server"] for p in payloads if p.get("server")})
    if server and not keys:
        return f"keys stripped, graded by the server ({', '.join(server)})"
    return (f"NOT server-graded yet: {keys} key(s) in the page, graded in the browser"
            + (f" (server field {server})" if server else " (no 'server' field)"))


# ------------------------------------------------------------------ main

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7, help="browser runs per page (alternating)")
    ap.add_argument("--bursts", type=int, default=3, help="HTTP bursts per page (alternating, fresh server each)")
    ap.add_argument("--clients", type=int, default=25)
    ap.add_argument("--no-build", action="store_true", help="reuse bench/_work/voila as it is")
    ap.add_argument("--no-preheat", dest="pool", action="store_false", help="leave out the burst of (d)")
    a = ap.parse_args()
    if not a.no_build or not (WORK / "_build" / "html" / "index.html").is_file():
        make_project()
        build_book()

    urls = {}
    pp, hp = free_port(), free_port()
    urls["plain"] = f"http://127.0.0.1:{pp}/"
    urls["live"] = f"http://127.0.0.1:{hp}/live/voila/render/{MODULE}/module.ipynb"
    urls["book"] = f"http://127.0.0.1:{hp}/modules/{MODULE}/module.html"
    kind = {"plain": "plain", "live": "h4s", "book": "h4s"}
    servers = {"plain": plain_server(pp), "h4s": h4s_server(hp)}

    from playwright.sync_api import sync_playwright
    runs: dict[str, list[dict]] = {n: [] for n in NAMES}
    try:
        for s in servers.values():
            s.start()
        wait_pool(servers["h4s"])
        payload_state = page_payload_state(urls["book"])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            for i in range(a.runs):
                for n in NAMES:
                    for s in servers.values():
                        s.cpu_quiet(limit=30)
                    if n == "live":
                        wait_pool(servers["h4s"], limit=30)
                    r = browser_run(browser, urls[n], kind[n])
                    runs[n].append(r)
                    print(f"  run {i + 1} {n}: " + ", ".join(
                        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()
                        if k in ("interactive", "feedback", "ttfb", "requests", "api_calls", "error")), flush=True)
            browser.close()
        time.sleep(2)
        kernels_after_visits = {k: len(s.kernels()) for k, s in servers.items()}
    finally:
        for s in servers.values():
            s.stop()

    bnames = NAMES + (("pool",) if a.pool else ())
    urls["pool"] = urls["live"]
    bursts: dict[str, list[dict]] = {n: [] for n in bnames}
    for i in range(a.bursts):
        for n in bnames:
            srv = plain_server(pp) if n == "plain" else h4s_server(hp, n == "pool")
            try:
                t_start = time.perf_counter()
                srv.start()
                if n != "plain":
                    wait_pool(srv, 1 if n == "pool" else 0, limit=240)
                ready_s = time.perf_counter() - t_start
                mem_before = srv.memory()
                b = burst(urls[n], "live" if n == "pool" else n, a.clients)
                if n == "book" and "graded by the server" in payload_state:
                    b["check"] = check_burst(f"http://127.0.0.1:{hp}/api/quiz/check", a.clients)
                time.sleep(2)
                b["mem_before"], b["mem_after"], b["ready_s"] = mem_before, srv.memory(), ready_s
                bursts[n].append(b)
                print(f"  burst {i + 1} {n}: median {statistics.median(b['times']):.2f} s, max {max(b['times']):.2f} s, "
                      f"incomplete {len(b['incomplete'])}, gzipped {b['gzipped']}, kernels {b['mem_after']['kernels']}"
                      + (f"; Check x{a.clients}: median {statistics.median(b['check']['times']):.3f} s, "
                         f"failed {len(b['check']['failed'])}" if "check" in b else ""), flush=True)
            finally:
                srv.stop()

    report(a, runs, bursts, kernels_after_visits, payload_state)


def report(a, runs, bursts, kernels_after_visits, payload_state) -> None:
    import importlib.metadata as md
    vers = ", ".join(f"{p} {md.version(p)}" for p in ("voila", "ipywidgets", "anywidget", "jupyter_server",
                                                       "ipykernel", "tornado", "playwright"))
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {machine()}")
    print(f"versions: {vers}; {chromium}")
    print(f"page (c) as served: {payload_state}")
    print(f"browser: {a.runs} runs per page, alternating, fresh context, servers quiet before each run")
    med: dict[str, dict] = {}
    for n in NAMES:
        ok = [r for r in runs[n] if "error" not in r]
        errs = [r["error"] for r in runs[n] if "error" in r]
        med[n] = {}
        if ok:
            for key, what in (("interactive", f"navigation -> all {N} questions interactive"),
                              ("feedback", "click Check -> feedback visible")):
                s = summary(f"{LABEL[n]}: {what}", [r[key] for r in ok])
                med[n][key] = s["median"]
                print(fmt(s))
            parts = ", ".join(f"{k} {statistics.median(r[k] for r in ok if k in r):.3f}"
                              for k in ("ttfb", "html_done", "dcl", "last_script", "load") if any(k in r for r in ok))
            print(f"{LABEL[n]}: where the time goes (median s from navigation start): {parts}, "
                  f"interactive {med[n]['interactive']:.3f}; {ok[-1].get('scripts')} scripts")
            last = ok[-1]
            print(f"{LABEL[n]}: {last['requests']} requests per page (median "
                  f"{statistics.median(r['requests'] for r in ok):.0f}), {last['websockets']} WebSocket(s), "
                  f"hosts {last['hosts']}; Check made {last['api_calls']} /api/quiz call(s); "
                  f"feedback {last['feedback_text'][:60]!r}")
        if errs:
            print(f"{LABEL[n]}: {len(errs)} failed run(s): {errs[0]}")
    for n in ("live", "book"):
        for key in ("interactive", "feedback"):
            if med[n].get(key) and med["plain"].get(key):
                r = med[n][key] / med["plain"][key]
                print(f"ratio {n}/plain ({key}): {r:.3f} (h4s {1 / r:.1f}x faster)" if r < 1
                      else f"ratio {n}/plain ({key}): {r:.2f}")
    print(f"kernels alive {2} s after the {a.runs} browser visits per page were closed: "
          f"plain voila {kernels_after_visits['plain']}, h4s serve {kernels_after_visits['h4s']} "
          f"(no preheated kernel)")
    print(f"HTTP: {a.clients} simultaneous requests, {a.bursts} burst(s) per page, alternating, fresh server each")
    bmed = {}
    for n in bursts:
        if not bursts[n]:
            continue
        meds = [statistics.median(b["times"]) for b in bursts[n]]
        maxs = [max(b["times"]) for b in bursts[n]]
        ttfb = [statistics.median(b["ttfb"]) for b in bursts[n] if b["ttfb"]]
        inc = [len(b["incomplete"]) for b in bursts[n]]
        bmed[n] = statistics.median(meds)
        print(fmt(summary(f"{LABEL[n]}: median page complete per burst", meds)))
        print(fmt(summary(f"{LABEL[n]}: max page complete per burst", maxs)))
        if ttfb:
            print(fmt(summary(f"{LABEL[n]}: median time to first byte per burst", ttfb)))
        why = Counter(w for b in bursts[n] for w in b["incomplete"])
        print(f"{LABEL[n]}: incomplete pages per burst {inc}" + (f" ({dict(why)})" if why else ""))
        print(fmt(summary(f"{LABEL[n]}: server start until ready (preheated kernel started if any, CPU quiet)",
                          [b["ready_s"] for b in bursts[n]])))
        chk = [b["check"] for b in bursts[n] if "check" in b]
        if chk:
            print(fmt(summary(f"{LABEL[n]}: {a.clients} learners press Check at once (POST /api/quiz/check): "
                              f"median latency per burst", [statistics.median(c["times"]) for c in chk])))
            print(fmt(summary(f"{LABEL[n]}: ... max latency per burst", [max(c["times"]) for c in chk]))
                  + f"; failed {[len(c['failed']) for c in chk]}")
        m = bursts[n][-1]["mem_after"]
        m0 = bursts[n][-1]["mem_before"]
        print(f"{LABEL[n]}: after the burst {m['kernels']} kernel(s), {m['kernel_rss_median']:.0f} MB RSS per kernel "
              f"(median), kernels {m['kernel_rss_total']:.0f} MB RSS / {m['kernel_uss_total']:.0f} MB USS in total; "
              f"whole server {m['tree_rss_total']:.0f} MB RSS / {m['tree_uss_total']:.0f} MB USS in "
              f"{m['processes']} processes (before the burst: {m0['kernels']} kernel(s), "
              f"{m0['tree_rss_total']:.0f} MB RSS)")
    for n in ("live", "book", "pool"):
        if n in bmed and "plain" in bmed:
            print(f"ratio {n}/plain (median page complete, {a.clients} at once): {bmed[n] / bmed['plain']:.3f}")
    print(json.dumps({"runs": runs, "bursts": {n: [{k: v for k, v in b.items()} for b in bs]
                                               for n, bs in bursts.items()}})[:3000])


if __name__ == "__main__":
    main()
