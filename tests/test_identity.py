"""Learner ids issued by the server (h4s_kit.identity) and the live proxy's stamping of kernel messages."""
from __future__ import annotations

import json
import stat
import struct
from http.cookies import SimpleCookie
from types import SimpleNamespace

import pytest

from h4s_kit.identity import COOKIE, Identity
from h4s_kit.server._messages import kernel_env, stamp_learner


def _request(cookie: str | None):
    jar = SimpleCookie()
    if cookie:
        jar.load(cookie)
    return SimpleNamespace(cookies=jar, protocol="http")


def test_cookie_ids_are_signed_and_forgeries_refused():
    ident = Identity(b"k" * 32)
    lid = ident.new_id()
    value = ident.sign(lid)
    assert ident.verify(value) == lid
    assert ident.of_request(_request(f"{COOKIE}={value}")) == lid
    for forged in (f"{lid}.{'0' * 32}", "victim-learner-42", f"victim-learner-42.{value.split('.')[1]}", "", None,
                   Identity(b"other key" * 4).sign(lid), value + "0", value.upper()):
        assert ident.verify(forged) is None, forged
    assert ident.of_request(_request(None)) is None


def test_a_new_learner_gets_an_httponly_samesite_cookie_secure_over_https():
    ident = Identity(b"k" * 32)
    for protocol, secure in (("http", False), ("https", True)):
        set_cookies: list[tuple] = []
        headers: dict = {}
        handler = SimpleNamespace(request=SimpleNamespace(cookies=SimpleCookie(), protocol=protocol),
                                  set_cookie=lambda *a, **k: set_cookies.append((a, k)), set_header=headers.__setitem__)
        lid = ident.learner(handler)
        assert "private" in headers["Cache-Control"]       # a shared cache must not hand the cookie to others
        (name, value), kw = set_cookies[0]
        assert name == COOKIE and ident.verify(value) == lid
        assert kw["httponly"] is True and kw["samesite"] in ("Lax", "Strict") and kw["secure"] is secure


def test_under_jupyterhub_the_learner_is_the_hub_user(tmp_path):
    ident = Identity(b"k" * 32, hub_user="anna", data_dir=tmp_path)
    assert ident.of_request(_request(None)) == "anna"
    assert ident.of_request(_request(f"{COOKIE}={ident.sign(ident.new_id())}")) == "anna"
    mail = Identity(b"k" * 32, hub_user="anna@example.org", data_dir=tmp_path).of_request(_request(None))
    assert mail.startswith("p-") and "@" not in mail          # pseudonymised as everywhere in the store


def test_installation_key_is_private_and_stable(tmp_path):
    a = Identity.for_installation(tmp_path / "data")
    b = Identity.for_installation(tmp_path / "data")
    lid = a.new_id()
    assert b.verify(a.sign(lid)) == lid                        # survives a restart
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "pseudonym.key").stat().st_mode) == 0o600


def _comm(content: dict, msg_type: str = "comm_msg", channel: str = "shell") -> dict:
    return {"header": {"msg_id": "1", "msg_type": msg_type}, "parent_header": {}, "metadata": {}, "channel": channel,
            "content": {"comm_id": "c", "data": {"method": "custom", "content": content}}}


def test_stamp_learner_overwrites_the_id_in_text_and_binary_frames():
    out = stamp_learner(json.dumps(_comm({"action": "check", "learner": "victim-learner-42"})), "s-me")
    assert json.loads(out)["content"]["data"]["content"]["learner"] == "s-me"
    out = stamp_learner(json.dumps(_comm({"action": "solution"})), "s-me")
    assert json.loads(out)["content"]["data"]["content"]["learner"] == "s-me"
    # the binary form of the JSON protocol (a message with buffers): the buffers pass unchanged
    head = json.dumps(_comm({"action": "check", "learner": "victim"})).encode()
    frame = struct.pack("!III", 2, 12, 12 + len(head)) + head + b"\x00\x01buffer"
    out = stamp_learner(frame, "s-me")
    n = struct.unpack("!I", out[:4])[0]
    offs = list(struct.unpack("!" + "I" * n, out[4:4 * (n + 1)]))
    assert n == 2 and json.loads(out[offs[0]:offs[1]])["content"]["data"]["content"]["learner"] == "s-me"
    assert out[offs[1]:] == b"\x00\x01buffer"


@pytest.mark.parametrize("message", [
    json.dumps(_comm({}, msg_type="execute_request")),
    json.dumps(_comm({}, msg_type="comm_msg", channel="control")),
    json.dumps(_comm({}, msg_type="input_reply", channel="stdin")),
    json.dumps(_comm({}, msg_type="shutdown_request", channel="control")),
    '{"channel": "shell", "header": {"msg_type": "comm_msg"}, "content": {"data": {"content": {"x": NaN}}}}',
    json.dumps(_comm({"response": "\ud800"})),
    "not json", "[" * 10_000, b"\x00\x00\x00\x05garbage", b"",
])
def test_stamp_learner_drops_what_is_not_widget_traffic_or_not_storable(message):
    assert stamp_learner(message, "s-me") is None


def test_kernel_env_holds_no_secrets():
    env = kernel_env({"PATH": "/bin", "H4S_TRAINER_TOKEN": "t", "H4S_LRS_URL": "https://lrs", "H4S_LRS_AUTH": "Basic x",
                      "H4S_LRS_USER": "u", "H4S_LRS_PASSWORD": "p", "JUPYTERHUB_API_TOKEN": "j", "AWS_SECRET_ACCESS_KEY": "a",
                      "OPENAI_API_KEY": "o", "H4S_DATA_DIR": "/d"})
    assert env == {"PATH": "/bin", "H4S_LRS_URL": "https://lrs", "H4S_DATA_DIR": "/d", "H4S_LRS_SENDER": "off"}


def test_jupyter_server_and_voila_still_do_what_h4s_kit_server_relies_on():
    """h4s_kit/server uses a few things of jupyter_server, Voilà and tornado that are not promised by their
    documentation; this test fails when one of them moves (then re-check h4s_kit/server and the pin)."""
    import inspect
    import re
    from pathlib import Path

    import jupyter_server
    from jupyter_server.base.call_context import CallContext
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.extension.manager import ExtensionManager
    from jupyter_server.serverapp import ServerApp
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    spec = re.search(r'"jupyter_server([^"]+)"', pyproject).group(1)
    assert Version(jupyter_server.__version__) in SpecifierSet(spec), (jupyter_server.__version__, spec)
    # extensions load in the order of their names: "h4s_kit.server" adds its rules before "voila" (which has
    # a file tree and a shutdown handler at the addresses h4s answers itself)
    assert "self.sorted_extensions" in inspect.getsource(ExtensionManager.load_all_extensions)
    assert "sorted(" in inspect.getsource(ExtensionManager.sorted_extensions.fget)
    # the handler of the request is in the CallContext (h4s_kit.live: the learner whose page starts a kernel)
    assert "CallContext.set(CallContext.JUPYTER_HANDLER, self)" in inspect.getsource(JupyterHandler.prepare)
    assert CallContext.get(CallContext.JUPYTER_HANDLER) is None
    # the kernel channel: kernel_id is set before the authorizer is asked, then the connection's prepare runs
    get_src = inspect.getsource(KernelWebsocketHandler.get)
    assert get_src.index("self.kernel_id = kernel_id") < get_src.index("await self.pre_get()")
    pre = inspect.getsource(KernelWebsocketHandler.pre_get)
    assert pre.index('is_authorized(self, user, "execute", "kernels")') < pre.index("self.connection.prepare()")
    # h4s serve installs no signal handlers of jupyter_server's (H4SServerApp.init_signal)
    assert "init_signal" in ServerApp.__dict__ and "self.init_signal()" in inspect.getsource(ServerApp.initialize)
    # Voilà 0.5's live page loads MathJax from cdnjs unless both settings are None (h4s_kit/server/app.py)
    import voila.utils
    assert '"mathjax_url"' in inspect.getsource(voila.utils.get_page_config)
    # the page-close beacon's address, answered by h4s_kit/server/kernel_shutdown.py
    import voila.server_extension
    assert '"/voila/api/shutdown/(.*)"' in inspect.getsource(voila.server_extension._load_jupyter_server_extension)
