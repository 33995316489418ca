"""The current connection: the embedded server by default, or an endpoint the user chose.

The embedded server starts once per process (st.cache_resource) and is shared by every session.
A hosted endpoint lives in this session's st.session_state: credentials are never put in
st.query_params, a log, or a file. Pre-filled from st.secrets / the environment when set there.

A reload starts a new Streamlit session, so a choice made on the Connect page is also remembered
for the browser session: the browser keeps a random token in a session cookie (set by a script,
no expiry, SameSite=Strict; it holds no credentials), and this process's memory maps the token
to the endpoint. A restart forgets every token (the key is never saved anywhere); a browser that
comes back with a forgotten token is told its connection was lost, and is not silently moved to
the embedded server and its demo data. A link never names a base URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from collections import OrderedDict
from urllib.parse import urlsplit

import streamlit as st

from centroid_explorer.client import Client
from centroid_explorer.config import connection_settings, data_dir
from centroid_explorer.display import markdown_code, markdown_text
from centroid_explorer.embedded import endpoint_of, start_embedded
from centroid_explorer.endpoint import Endpoint, EndpointError, endpoint_from

COOKIE = "centroid_explorer_connection"
_ENDPOINT = "connection_endpoint"  # Endpoint, or None for the embedded server
_CLIENT = "connection_client"  # this session's Client for a hosted endpoint
_PROBLEM = "connection_problem"  # why the configured endpoint could not be used (Markdown-safe)
_TOKEN = "connection_token"  # the cookie's token for this session's choice
_TOKEN_NEW = "connection_token_new"  # made in this session: the browser does not hold it yet
_LOST = "connection_lost"  # the browser's token names a connection this process does not know
_UNKNOWN = object()
LOST_MESSAGE = (
    "**This tab's connection is gone:** the dashboard was restarted, and it never saves an API key. "
    "Connect again on the **Connect** page; the link's dataset is kept."
)


class _Remembered:
    """Connections chosen on the Connect page, by token; the oldest are dropped past MAX."""

    MAX = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: OrderedDict[str, Endpoint | None] = OrderedDict()

    def remember(self, endpoint: Endpoint | None) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._by_token[token] = endpoint
            while len(self._by_token) > self.MAX:
                self._by_token.popitem(last=False)
        return token

    def recall(self, token: str):
        """The endpoint (None: the embedded server) remembered for `token`, or _UNKNOWN."""
        with self._lock:
            return self._by_token.get(token, _UNKNOWN)

    def forget(self, token: str) -> None:
        with self._lock:
            self._by_token.pop(token, None)


@st.cache_resource(show_spinner=False)
def _remembered() -> _Remembered:
    return _Remembered()


@st.cache_resource(show_spinner="Starting the embedded server (the first start also loads the demo data)…")
def embedded_server():
    return start_embedded(data_dir())


@st.cache_resource(show_spinner=False)  # embedded_server() shows its own spinner while it starts
def _embedded_client() -> Client:
    return Client(*_fields(endpoint_of(embedded_server())))


def configured_settings() -> dict[str, str]:
    """The RELEVANCE_* settings from st.secrets, overridden by the environment."""
    try:
        secrets = dict(st.secrets)
    except FileNotFoundError:  # no secrets.toml: nothing configured there
        secrets = {}
    return connection_settings({**secrets, **os.environ})


def _initial_endpoint() -> Endpoint | None:
    try:
        return endpoint_from(configured_settings())
    except EndpointError as err:
        st.session_state[_PROBLEM] = f"The configured RELEVANCE_* settings were not used: {markdown_text(err)}"
        return None


def _start_session() -> None:
    """This session's connection: the one the browser's cookie names, else the configured one."""
    token = st.context.cookies.to_dict().get(COOKIE)  # to_dict: AppTest's cookies answer any key
    remembered = _remembered().recall(token) if token else _UNKNOWN
    if remembered is not _UNKNOWN:
        st.session_state[_ENDPOINT], st.session_state[_TOKEN] = remembered, token
    elif token:
        st.session_state[_ENDPOINT], st.session_state[_TOKEN], st.session_state[_LOST] = None, token, True
    else:
        st.session_state[_ENDPOINT] = _initial_endpoint()


def current_endpoint() -> Endpoint | None:
    """The hosted endpoint in use, or None for the embedded server (or a lost connection)."""
    if _ENDPOINT not in st.session_state:
        _start_session()
    return st.session_state[_ENDPOINT]


def connection_lost() -> bool:
    current_endpoint()
    return st.session_state.get(_LOST, False)


def start_default_backend() -> None:
    """Start the embedded server now if it is what a new session will connect to (no usable
    RELEVANCE_* settings); for a start-up hook, so the first page does not wait for it."""
    try:
        configured = endpoint_from(configured_settings())
    except EndpointError:
        configured = None  # a session falls back to the embedded server and says why
    if configured is None:
        _embedded_client()


def get_client() -> Client | None:
    """The client for the current connection; None (with the reason in connection_problem()) when
    the connection was lost or the embedded server failed."""
    endpoint = current_endpoint()
    if connection_lost():
        return None
    if endpoint is not None:
        if st.session_state.get(_CLIENT) is None:
            st.session_state[_CLIENT] = Client(*_fields(endpoint))
        return st.session_state[_CLIENT]
    try:
        return _embedded_client()
    except Exception as err:  # noqa: BLE001 - any start failure: say so instead of a traceback
        st.session_state[_PROBLEM] = f"The embedded server could not start: {markdown_code(err)}"
        return None


def use_endpoint(endpoint: Endpoint | None) -> None:
    """Switch this session to `endpoint` (None: back to the embedded server), and remember the
    choice for this browser session (see keep_in_browser)."""
    current_endpoint()
    old = st.session_state.pop(_CLIENT, None)
    if old is not None:
        old.close()
    if old_token := st.session_state.get(_TOKEN):
        _remembered().forget(old_token)
    st.session_state[_ENDPOINT] = endpoint
    st.session_state[_TOKEN] = st.session_state[_TOKEN_NEW] = _remembered().remember(endpoint)
    st.session_state.pop(_PROBLEM, None)
    st.session_state.pop(_LOST, None)


def keep_in_browser() -> None:
    """After a switch, an invisible script that stores this session's token in the browser's session
    cookie (the next page load sends it). Call on every run: a rerun may replace the element before
    the browser ran it."""
    token = st.session_state.get(_TOKEN_NEW)
    if token is None:
        return
    cookie = f"{COOKIE}={token}; path=/; SameSite=Strict"  # token_urlsafe: no character needs quoting
    script = f"document.cookie = {json.dumps(cookie)} + (location.protocol === 'https:' ? '; Secure' : '');"
    style = "[data-testid=stLayoutWrapper]:has(> .st-key-connection_cookie){display:none}"
    with st.container(key="connection_cookie"):
        st.html(f"<style>{style}</style><script>{script}</script>", unsafe_allow_javascript=True)


def connection_problem() -> str | None:
    """Why there is no client, as Markdown-safe text (values quoted with markdown_code())."""
    if connection_lost():
        return LOST_MESSAGE
    return st.session_state.get(_PROBLEM)


def connection_label() -> str:
    """Where this session is connected, as Markdown-safe text."""
    endpoint = current_endpoint()
    if connection_lost():
        return "Not connected (the connection was lost)"
    if endpoint is None:
        return "Embedded server (local, demo data)"
    return f"{markdown_code(endpoint.project)} @ {markdown_code(urlsplit(endpoint.base_url).netloc)}"


def connection_id() -> str:
    """A cache key for data read through this connection: different credentials never share a cache entry."""
    endpoint = current_endpoint()
    if endpoint is None:
        return "embedded"
    return hashlib.sha256("\n".join(_fields(endpoint)).encode()).hexdigest()


def _fields(endpoint: Endpoint) -> tuple[str, str, str]:
    return endpoint.base_url, endpoint.project, endpoint.api_key
