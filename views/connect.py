"""Connect: the embedded server (default) or a hosted / compatible endpoint."""

from __future__ import annotations

import streamlit as st

from centroid_explorer.client import REGIONS, APIError, region_base_url
from centroid_explorer.config import ENV_API_KEY, ENV_BASE_URL, ENV_PROJECT
from centroid_explorer.display import markdown_code
from centroid_explorer.endpoint import TOKEN_FORMS, EndpointError, make_endpoint, probe, split_token
from components.connection import (
    configured_settings,
    connection_label,
    connection_lost,
    current_endpoint,
    use_endpoint,
)
from components.feedback import show_api_error
from components.pickers import clear_listing_cache, reset_for_new_connection

CUSTOM = "Custom URL"
EMBEDDED, HOSTED = "Embedded server (local, no account)", "Hosted or compatible endpoint"
_NOTICE = "connect_notice"

st.title(":material/link: Connect")
st.caption(f"Connected to: **{connection_label()}**")
if notice := st.session_state.pop(_NOTICE, None):
    st.success(notice, icon=":material/check_circle:")
lost = connection_lost()
if lost:
    st.warning(
        "**This tab's connection is gone:** the dashboard was restarted, and it never saves an API key. "
        "Connect again below; the dataset you had open is kept.", icon=":material/cloud_off:",
    )

settings = configured_settings()
kind = st.radio(
    "Where are your clusters?", [EMBEDDED, HOSTED], index=1 if lost or current_endpoint() else 0, horizontal=True
)


def switch_to(endpoint, message: str) -> None:
    """Use `endpoint`; `message` is Markdown-safe."""
    reset_for_new_connection()
    use_endpoint(endpoint)
    clear_listing_cache()
    st.session_state[_NOTICE] = message
    st.rerun()


if kind == EMBEDDED:
    st.markdown(
        "The embedded server runs inside this app on your machine and keeps its data in the local data "
        "folder. On first start it holds two demo datasets: **digits** (handwritten digits, 64-dim "
        "pixel vectors) and a text dataset of Python docstrings."
    )
    if current_endpoint() is None and not lost:
        st.info("You are using the embedded server.", icon=":material/check:")
    elif st.button("Use the embedded server", type="primary"):
        switch_to(None, "Connected to the embedded server.")
    st.stop()

st.markdown(
    "Any server that speaks the Relevance AI cluster-centroid API. The API key stays in this browser "
    "session's server memory: it is not put in the URL, shown again, logged or saved."
)
configured_url = settings.get(ENV_BASE_URL, "")
region_options = [*REGIONS, CUSTOM]
preset = next((name for name, url in REGIONS.items() if url == configured_url.rstrip("/")), None)
region = st.selectbox(
    "Region", region_options, index=region_options.index(preset or (CUSTOM if configured_url else region_options[0])),
    format_func=lambda name: name if name == CUSTOM else f"{name} · {REGIONS[name]}",
)
base_url = REGIONS.get(region) or st.text_input(
    "Base URL", value=configured_url, placeholder="https://my-server.example.com/latest",
    help="Requests go to this URL followed by the API path, e.g. /datasets/list.",
)
left, right = st.columns(2)
project = left.text_input("Project", value=settings.get(ENV_PROJECT, ""))
api_key = right.text_input(
    "API key", type="password",
    placeholder="configured in secrets / environment" if settings.get(ENV_API_KEY) else "",
    help="Left empty, the key from RELEVANCE_API_KEY (st.secrets or environment) is used, but only for the "
    "base URL configured beside it (RELEVANCE_BASE_URL).",
)


def configured_key_for(url: str) -> str:
    """The configured key, for the configured base URL only: a key is never sent to an address typed
    here (whoever can open the dashboard could otherwise collect it with a server of their own)."""
    key = settings.get(ENV_API_KEY, "")
    return key if key and configured_url and url.strip().rstrip("/") == configured_url.strip().rstrip("/") else ""
token = st.text_input(
    "…or paste a `project:api_key` token", type="password",
    help=f"The token the Relevance AI dashboard gives you ({TOKEN_FORMS}); it fills project and key in "
    "one go. A token that names its region picks that region's base URL, unless you chose Custom URL.",
)


try:
    parsed_token = split_token(token) if token.strip() else None
except EndpointError:
    parsed_token = None  # said when a button is pressed
if parsed_token and parsed_token.region and region != CUSTOM and REGIONS[region] != (
    token_url := region_base_url(parsed_token.region)
):
    # A hosted token's region is where its project lives; a custom URL stays the user's own choice.
    base_url = token_url
    st.info(f"The token is for region {markdown_code(parsed_token.region)}: using {markdown_code(token_url)}.", icon=":material/public:")


def typed_endpoint():
    """The endpoint the fields describe, or None after saying which field is wrong."""
    try:
        if token.strip():
            parsed = split_token(token)
            return make_endpoint(base_url or "", parsed.project, parsed.api_key)
        return make_endpoint(base_url or "", project, api_key or configured_key_for(base_url or ""))
    except EndpointError as err:
        st.error(str(err), icon=":material/edit:")
        return None


test_col, connect_col, _ = st.columns([1, 1, 3])
test = test_col.button("Test connection", icon=":material/network_check:")
connect = connect_col.button("Connect", type="primary", icon=":material/link:")
if test or connect:
    endpoint = typed_endpoint()
    if endpoint is not None:
        try:
            with st.spinner(f"Asking {markdown_code(endpoint.base_url)} for its datasets…"):
                datasets = probe(endpoint)
        except APIError as err:
            show_api_error(err, "Connecting")
        else:
            found = f"{len(datasets)} dataset{'s' * (len(datasets) != 1)}"
            if connect:
                switch_to(endpoint, f"Connected to {markdown_code(endpoint.project)}: {found}. Pick one in the sidebar.")
            st.success(f"{markdown_code(endpoint.base_url)} answered: {found}.", icon=":material/check_circle:")
            if datasets:
                st.dataframe({"dataset_id": datasets}, hide_index=True)
