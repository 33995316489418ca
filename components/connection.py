"""The current connection: the embedded server by default, or an endpoint the user chose.

The embedded server starts once per process (st.cache_resource) and is shared by every session.
A hosted endpoint lives in this session's st.session_state only: credentials are never put in
st.query_params, a log, or a file. Pre-filled from st.secrets / the environment when set there.
"""

from __future__ import annotations

import hashlib
import os
from urllib.parse import urlsplit

import streamlit as st

from centroid_explorer.client import Client
from centroid_explorer.config import data_dir
from centroid_explorer.embedded import endpoint_of, start_embedded
from centroid_explorer.endpoint import Endpoint, EndpointError, endpoint_from

_ENDPOINT = "connection_endpoint"  # Endpoint, or None for the embedded server
_CLIENT = "connection_client"  # this session's Client for a hosted endpoint
_PROBLEM = "connection_problem"  # why the configured endpoint could not be used


@st.cache_resource(show_spinner="Starting the embedded server (the first start also loads the demo data)…")
def embedded_server():
    return start_embedded(data_dir())


@st.cache_resource(show_spinner=False)  # embedded_server() shows its own spinner while it starts
def _embedded_client() -> Client:
    return Client(*_fields(endpoint_of(embedded_server())))


def configured_settings() -> dict[str, str]:
    """RELEVANCE_* from st.secrets, overridden by the environment."""
    settings: dict[str, str] = {}
    try:
        settings.update({key: str(value) for key, value in st.secrets.items() if key.startswith("RELEVANCE_")})
    except FileNotFoundError:  # no secrets.toml: nothing configured there
        pass
    settings.update({key: value for key, value in os.environ.items() if key.startswith("RELEVANCE_")})
    return settings


def _initial_endpoint() -> Endpoint | None:
    try:
        return endpoint_from(configured_settings())
    except EndpointError as err:
        st.session_state[_PROBLEM] = f"The configured RELEVANCE_* settings were not used: {err}"
        return None


def current_endpoint() -> Endpoint | None:
    """The hosted endpoint in use, or None for the embedded server."""
    if _ENDPOINT not in st.session_state:
        st.session_state[_ENDPOINT] = _initial_endpoint()
    return st.session_state[_ENDPOINT]


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
    """The client for the current connection; None (with the reason shown) if the embedded server failed."""
    endpoint = current_endpoint()
    if endpoint is not None:
        if st.session_state.get(_CLIENT) is None:
            st.session_state[_CLIENT] = Client(*_fields(endpoint))
        return st.session_state[_CLIENT]
    try:
        return _embedded_client()
    except Exception as err:  # noqa: BLE001 - any start failure: say so instead of a traceback
        st.session_state[_PROBLEM] = f"The embedded server could not start: {err}"
        return None


def use_endpoint(endpoint: Endpoint | None) -> None:
    """Switch this session to `endpoint` (None: back to the embedded server)."""
    old = st.session_state.pop(_CLIENT, None)
    if old is not None:
        old.close()
    st.session_state[_ENDPOINT] = endpoint
    st.session_state.pop(_PROBLEM, None)


def connection_problem() -> str | None:
    return st.session_state.get(_PROBLEM)


def connection_label() -> str:
    endpoint = current_endpoint()
    if endpoint is None:
        return "Embedded server (local, demo data)"
    return f"{endpoint.project} @ {urlsplit(endpoint.base_url).netloc}"


def connection_id() -> str:
    """A cache key for data read through this connection: different credentials never share a cache entry."""
    endpoint = current_endpoint()
    if endpoint is None:
        return "embedded"
    return hashlib.sha256("\n".join(_fields(endpoint)).encode()).hexdigest()


def _fields(endpoint: Endpoint) -> tuple[str, str, str]:
    return endpoint.base_url, endpoint.project, endpoint.api_key
