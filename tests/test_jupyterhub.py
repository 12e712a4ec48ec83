"""h4s on JupyterHub (issue 14): deploy/jupyterhub, deploy/z2jh and deploy/docker, tested with the real parts.

A real JupyterHub 5 (deploy/jupyterhub/jupyterhub_config.py as it is, with the DummyAuthenticator and the
SimpleLocalProcessSpawner swapped in by tests/_hub.py) on 127.0.0.1 with configurable-http-proxy from npm and
jupyterhub-idle-culler: ten learners log in with the Hub's form, open a live module and answer a question; the
records are in a shared PostgreSQL database (the throwaway cluster of tests/_postgres.py) and carry their Hub
user; nobody reaches another learner's server; trainers (the Hub group "trainers") see every learner in the
dashboard service, learners get 403 there; an idle server is stopped by the culler; a learner answers the live page
of a language book (its notebook translated, its kernel below the learner's address).

The Zero to JupyterHub values are validated against the chart's published values schema
(tests/fixtures/z2jh, chart 4.4.0) and the single-user image's Dockerfile is checked against the files of the
repository and the command the Hub runs (the image is not built here).
"""
from __future__ import annotations

import json
import re
import shlex
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

import psutil
import pytest
import yaml

from _hub import DEPLOY_CONFIG, ROOT, Hub, Learner, answer_live, live_page
from _tools import npm_file, run_coroutine

Z2JH = ROOT / "tests" / "fixtures" / "z2jh"
VALUES = ROOT / "deploy" / "z2jh" / "values.yaml"
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
SINGLEUSER_CONFIG = ROOT / "deploy" / "jupyterhub" / "singleuser_config.py"
MINI = ROOT / "tests" / "fixtures" / "mini-modules"
MODULE, QID, RIGHT = "01-hello-oer", "oer-meaning", "a"
LEARNERS = [f"learner{i:02d}" for i in range(1, 11)]
TRAINER = "trainer01"


# ============================================================================ Zero to JupyterHub values
def helm_merge(defaults, override):
    """Values as Helm merges a values file over the chart's defaults: maps merge key by key (null removes a
    key), anything else is replaced."""
    if isinstance(defaults, dict) and isinstance(override, dict):
        out = dict(defaults)
        for k, v in override.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = helm_merge(defaults.get(k), v)
        return out
    return override


def z2jh_errors(values: dict) -> list[str]:
    import jsonschema
    schema = yaml.safe_load((Z2JH / "values.schema.yaml").read_text())
    merged = helm_merge(yaml.safe_load((Z2JH / "chart-values.yaml").read_text()), values)
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(merged)]


def test_z2jh_values_match_the_charts_published_schema():
    values = yaml.safe_load(VALUES.read_text())
    assert z2jh_errors(values) == []
    su = values["singleuser"]
    assert su["defaultUrl"] == "/"
    assert su["memory"]["limit"] and su["memory"]["guarantee"] and su["cpu"]["limit"] and su["cpu"]["guarantee"]
    env = su["extraEnv"]["H4S_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert env["name"] and env["key"]
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    role = values["hub"]["loadRoles"]["h4s-trainers"]
    assert role["groups"] == ["trainers"] and role["scopes"] == ["access:services!service=h4s-dashboard"]
    assert "trainers" in values["hub"]["config"]["JupyterHub"]["load_groups"]


@pytest.mark.parametrize("path, bad", [
    ("singleuser.memory.limit", {"1G": True}),         # a map where a quantity belongs
    ("cull.timeout", "an hour"),
    ("singleuser.defaultUrl", 5),
    ("singleuser.image.tagg", "x"),                    # a misspelt key
])
def test_the_schema_check_catches_a_broken_values_file(path, bad):
    values = yaml.safe_load(VALUES.read_text())
    node = values
    *parents, last = path.split(".")
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = bad
    assert z2jh_errors(values), f"{path}={bad!r} passed the schema"


def test_z2jh_fixture_keeps_its_origin_and_licence():
    readme = (Z2JH / "README.md").read_text()
    assert "4.4.0" in readme and "BSD 3-Clause" in readme
    assert "BSD 3-Clause License" in (Z2JH / "LICENSE").read_text()
    assert yaml.safe_load((Z2JH / "chart-values.yaml").read_text())["singleuser"]["cmd"] == "jupyterhub-singleuser"


# ============================================================================ the single-user image
def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    out, buf = [], ""
    for line in text.splitlines():
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        buf += line
        word, _, rest = buf.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def test_dockerfile_copies_files_that_exist_and_runs_the_hubs_command():
    ins = dockerfile_instructions(DOCKERFILE.read_text())
    froms = [a for i, a in ins if i == "FROM"]
    assert froms[-1].startswith("quay.io/jupyter/base-notebook:"), froms
    for image in froms:
        ref = image.split()[0]
        assert ":" in ref and not ref.endswith(":latest"), f"unpinned base image {ref}"
    copied = []
    for i, a in ins:
        if i != "COPY" or "--from=" in a:
            continue
        parts = [p for p in shlex.split(a) if not p.startswith("--")]
        for src in parts[:-1]:
            assert (ROOT / src).exists(), f"COPY {src}: no such file in the repository"
            copied.append((src, parts[-1]))
    runs = " ".join(a for i, a in ins if i == "RUN")
    assert "-c ${H4S_HOME}/src/requirements/constraints.txt" in runs      # h4s at the locked versions
    assert "bubblewrap" in runs and "chromium" not in runs
    assert "h4s build" in runs
    sed = re.search(r"sed -i 's#(.*?)#(.*?)#'", runs)                # the book's live links made relative
    assert sed and sed.group(1) == SERVE_LIVE_URL
    assert sed.group(2) == HUB_LIVE_URL and SERVE_LIVE_URL in (ROOT / "_config.yml").read_text()
    cmd = json.loads(next(a for i, a in reversed(ins) if i == "CMD"))
    values = yaml.safe_load(VALUES.read_text())
    assert cmd == values["singleuser"]["cmd"]                             # the image runs what the chart asks for
    assert cmd[0] == "jupyterhub-singleuser" and cmd[1] == "--config"
    config_in_image = Path(cmd[2])
    sources = [s for s, dest in copied if dest.rstrip("/") == "${H4S_HOME}/deploy" or dest.endswith("/deploy/")]
    assert f"deploy/jupyterhub/{config_in_image.name}" in sources
    assert (ROOT / "deploy" / "jupyterhub" / config_in_image.name) == SINGLEUSER_CONFIG
    assert "ENV H4S_HOME=/opt/h4s" in DOCKERFILE.read_text() and str(config_in_image).startswith("/opt/h4s/deploy/")


def test_the_vm_config_runs_the_same_single_user_command():
    from traitlets.config.loader import PyFileConfigLoader
    cfg = PyFileConfigLoader(DEPLOY_CONFIG.name, str(DEPLOY_CONFIG.parent)).load_config()
    assert Path(cfg.Spawner.cmd[0]).name == "jupyterhub-singleuser"
    assert cfg.Spawner.args == ["--config", str(SINGLEUSER_CONFIG)]
    assert cfg.Spawner.default_url == "/"
    roles = {r["name"]: r for r in cfg.JupyterHub.load_roles}
    assert set(roles["idle-culler"]["scopes"]) == {"list:users", "read:users:activity", "read:servers",
                                                   "delete:servers"}     # stops servers, deletes nobody


# ============================================================================ the real Hub
#: the live pages' address in the book of a Hub course: relative to modules/<id>/module.html (the Dockerfile
#: sets it the same way, book/deploy.md tells a VM's administrator to)
HUB_LIVE_URL = 'h4s_live_url: "../../voila/render/{folder}/module.ipynb"'
SERVE_LIVE_URL = 'h4s_live_url: "/live/voila/render/{folder}/module.ipynb"'


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course project with one mini module, its book built for the Hub, with a language book (LANG: the test
    catalogue of tests/test_translate.py, every message marked «XX»)."""
    from test_translate import LANG, fill

    from h4s_kit import translate as tr
    from h4s_kit.build import build
    root = tmp_path_factory.mktemp("hub-course")
    config = (ROOT / "_config.yml").read_text()
    assert SERVE_LIVE_URL in config
    (root / "_config.yml").write_text(config.replace(SERVE_LIVE_URL, HUB_LIVE_URL))
    shutil.copytree(ROOT / "book", root / "book")
    mod = root / "modules" / MODULE
    shutil.copytree(MINI / MODULE, mod)
    tr.extract(mod)
    tr.update(mod, LANG)
    (mod / "locales" / LANG / "draft.txt").unlink()          # published: in the book
    fill(mod)
    build(root=root, modules=root / "modules", out=root / "_build", echo=lambda *_: None)
    assert (root / "_build" / "html" / LANG / "modules" / MODULE / "module.html").is_file()
    return root


@pytest.fixture(scope="module")
def records_db(postgres_cluster):
    """A PostgreSQL database of its own for this module's Hub (the shared store of every learner's server)."""
    from _postgres import fresh_database
    gen = fresh_database(postgres_cluster)
    url = next(gen)
    yield url
    gen.close()


@pytest.fixture(scope="module")
def hub(course, records_db, tmp_path_factory):
    npm_file(".bin", "configurable-http-proxy")
    h = Hub(tmp_path_factory.mktemp("hub"), course, trainers=(TRAINER,),
            env={"H4S_DATABASE_URL": records_db})
    h.start()
    yield h
    h.stop()


@pytest.fixture(scope="module")
def class_of_ten(hub):
    """Ten learners log in (the Hub starts a server for each), open the live module and answer; each sends the
    next learner's name as its id in the message (which must be ignored)."""
    def one(i: int):
        me = Learner(hub, LEARNERS[i])
        t0 = time.monotonic()
        me.login()
        hub.wait_ready(me.name)
        home = me.get("")                    # the default URL: the book's start (Jupyter Book's redirect page)
        assert home.status_code == 200, (home.status_code, home.url)
        start = re.search(r'url=([^"]+)"', home.text)
        book = me.get(start.group(1) if start else "")
        assert book.status_code == 200 and 'class="h4s' in book.text, (book.status_code, book.url)
        page = me.get(f"modules/{MODULE}/module.html")         # the module's page links to its live version
        link = re.search(r'href="([^"]*voila/render/[^"]*)"', page.text)
        assert page.status_code == 200 and link, (page.status_code, page.url)
        assert urljoin(page.url, link.group(1)) == me.user_url(f"voila/render/{MODULE}/module.ipynb")
        state = answer_live(me, MODULE, QID, RIGHT, sent_learner=LEARNERS[(i + 1) % len(LEARNERS)])
        return me, state, time.monotonic() - t0

    with ThreadPoolExecutor(5) as pool:
        done = list(pool.map(one, range(len(LEARNERS))))
    return {me.name: (me, state) for me, state, _ in done}


def _records(url: str) -> list[dict]:
    from h4s_kit.records.store import RecordStore
    with RecordStore(url) as store:
        return store.records(module=MODULE)


@pytest.mark.slow
def test_ten_learners_answer_and_every_record_carries_its_hub_user(hub, class_of_ten, records_db):
    for name, (_, state) in class_of_ten.items():
        assert state["attempts"] == 1 and state["result"]["correct"] is True, (name, state)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        recs = [r for r in _records(records_db) if r["question"] == QID]
        if len(recs) >= len(LEARNERS):
            break
        time.sleep(0.5)
    assert sorted(r["learner"] for r in recs) == LEARNERS      # one record each, under the Hub user, not the sent id
    assert all(r["attempt"] == 1 for r in recs)


@pytest.mark.slow
def test_a_learner_reaches_neither_another_learners_server_nor_the_server_api(hub, class_of_ten):
    me, _ = class_of_ten["learner01"]
    other_state = class_of_ten["learner02"][1]
    # another learner's book, live page and kernel: the Hub refuses the OAuth hand-over to their server
    for path in ("", f"voila/render/{MODULE}/module.ipynb", "api/kernels"):
        r = me.get(path, user="learner02")
        assert r.status_code == 403, (path, r.status_code, r.url)
    # ... nor their kernel channel
    import asyncio

    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect
    url = me.user_url(f"api/kernels/{other_state['_kernel']}/channels", user="learner02").replace("http", "ws", 1)

    async def connect():
        try:
            conn = await websocket_connect(HTTPRequest(url, headers={"Cookie": me.cookie_header(url.replace(
                "ws", "http", 1))}))
        except HTTPClientError as e:
            return e.code
        conn.close()
        return 101
    assert run_coroutine(connect()) in (302, 403, 404)
    # on their own server: none of jupyter_server's APIs or pages (no code, no files, no other kernels)
    for path in ("api/kernels", "api/contents", "api/sessions", "api/terminals", "lab", "tree", "terminals/1",
                 "trainer/x/"):         # ... nor a trainer page (trainers use the Hub service)
        r = me.get(path, allow_redirects=False)
        assert r.status_code in (400, 403, 404), (path, r.status_code)


@pytest.mark.slow
def test_trainers_see_every_learner_in_the_dashboard_and_learners_get_403(hub, class_of_ten):
    trainer = Learner(hub, TRAINER)
    trainer.login()
    page = trainer.s.get(f"{hub.url}/services/h4s-dashboard/", timeout=60)
    assert page.status_code == 200, (page.status_code, page.url, page.text[:300])
    for name in LEARNERS:
        assert name in page.text, f"{name} is missing from the trainer dashboard"
    me, _ = class_of_ten["learner03"]
    denied = me.s.get(f"{hub.url}/services/h4s-dashboard/", timeout=60)
    assert denied.status_code == 403
    assert not any(name in denied.text for name in LEARNERS if name != me.name)     # (the Hub's page names its user)


@pytest.mark.slow
def test_a_learner_answers_the_live_page_of_a_language_book(course, postgres_cluster, tmp_path_factory):
    """The language book on the Hub: its module page links to the live page in its language, below the learner's
    own address; the learner's server runs the translated notebook there (its text, <html lang>, the way back to
    that book) and grades the answer in the kernel; the record carries the Hub user.  A Hub and a database of
    its own, so that the class of ten keeps one record each."""
    from _postgres import fresh_database
    from test_translate import LANG
    npm_file(".bin", "configurable-http-proxy")
    gen = fresh_database(postgres_cluster)
    db = next(gen)
    try:
        with Hub(tmp_path_factory.mktemp("hub-lang"), course, env={"H4S_DATABASE_URL": db}) as h:
            me = Learner(h, "lang01")
            me.login()
            h.wait_ready(me.name)
            page = me.get(f"{LANG}/modules/{MODULE}/module.html")
            link = re.search(r'href="([^"]*voila/render/[^"]*)"', page.text)
            assert page.status_code == 200 and "«XX»" in page.text and link, (page.status_code, page.url)
            live = f"{LANG}/{MODULE}"
            assert urljoin(page.url, link.group(1)) == me.user_url(f"voila/render/{live}/module.ipynb")
            _, _, html = live_page(me, live)
            # the translated notebook (Voilà writes « and » as character references)
            assert f'<html lang="{LANG}"' in html and "&#171;XX&#187; Hello, open educational resources" in html
            back = re.search(r'<a class="h4s-book-link" href="([^"]+)"', html)
            assert back and back.group(1) == f"/user/{me.name}/{LANG}/modules/{MODULE}/module.html", back
            state = answer_live(me, live, QID, RIGHT)
            assert state["attempts"] == 1 and state["result"]["correct"] is True, state
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not [r for r in _records(db) if r["question"] == QID]:
                time.sleep(0.5)
            assert [(r["learner"], r["attempt"]) for r in _records(db) if r["question"] == QID] == [(me.name, 1)]
            assert "h4s: the live pages are served from" not in h.log.read_text()     # the root h4s set
    finally:
        gen.close()


@pytest.mark.slow
def test_a_hub_that_gives_learners_servers_another_root_is_told_so(course, records_db, tmp_path_factory):
    """A Hub configured with Spawner.notebook_dir (a root on the learner server's command line, which wins over the
    folder of live pages that h4s sets) gets one line in the log that names both folders and the fix."""
    npm_file(".bin", "configurable-http-proxy")
    modules = course / "modules"
    with Hub(tmp_path_factory.mktemp("hub-root"), course, env={"H4S_DATABASE_URL": records_db},
             extra_config=f"\nc.Spawner.notebook_dir = {str(modules)!r}\n") as h:
        me = Learner(h, "root01")
        me.login()
        h.wait_ready(me.name)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "h4s: the live pages are served from" not in h.log.read_text():
            time.sleep(0.3)
        (line,) = [ln for ln in h.log.read_text().splitlines() if "h4s: the live pages are served from" in ln]
        live = (course / "_build" / "live").resolve()
        assert f"served from {modules} instead of {live}" in line and "Spawner.notebook_dir" in line, line


@pytest.mark.slow
def test_an_idle_server_is_stopped_by_the_culler(course, records_db, tmp_path_factory):
    npm_file(".bin", "configurable-http-proxy")
    cull_after = 8
    with Hub(tmp_path_factory.mktemp("hub-cull"), course, cull_idle=cull_after,
             env={"H4S_DATABASE_URL": records_db}) as h:
        me = Learner(h, "idle01")
        t0 = time.monotonic()
        me.login()
        h.wait_ready("idle01")
        pid = h.server_pid("idle01")
        assert pid and psutil.pid_exists(pid)
        while time.monotonic() - t0 < 60 and h.server("idle01") is not None:
            time.sleep(0.5)
        assert h.server("idle01") is None, "the idle server was not stopped within 60 s"
        assert time.monotonic() - t0 >= cull_after            # not before it was idle for the timeout
        assert re.search(r"DELETE /hub/api/users/idle01/server \S* ?\(idle-culler@", h.log.read_text()), \
            "the server was not stopped by the idle culler"
        deadline = time.monotonic() + 20
        while psutil.pid_exists(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
