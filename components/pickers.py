"""The sidebar's pickers: dataset, vector field (with its dimension) and clustering alias.

Options come from the dataset list, its schema and its centroid configs; where the endpoint cannot
list them, a text box takes the name instead. The choice is mirrored in st.query_params
(dataset_id / vector_field / alias, never credentials) so a URL reopens the same view.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from centroid_explorer.api_messages import describe
from centroid_explorer.client import APIError, AuthenticationError, APIConnectionError, Client
from centroid_explorer.client.schema import cluster_aliases, vector_fields

URL_KEYS = ("dataset_id", "vector_field", "alias")
_SELECTION = "picked_selection"
_LISTING_TTL_S = 60


@dataclass(frozen=True)
class Selection:
    dataset_id: str
    vector_field: str
    dimension: int | None
    alias: str


def current_selection() -> Selection | None:
    """What the sidebar's pickers chose in this run, or None when incomplete."""
    return st.session_state.get(_SELECTION)


@st.cache_data(ttl=_LISTING_TTL_S, show_spinner=False)
def _datasets(_client: Client, connection_id: str) -> list[str]:
    return sorted(_client.datasets.list())


@st.cache_data(ttl=_LISTING_TTL_S, show_spinner=False)
def _schema(_client: Client, connection_id: str, dataset_id: str) -> dict:
    return _client.datasets.schema(dataset_id)


@st.cache_data(ttl=_LISTING_TTL_S, show_spinner=False)
def _configs(_client: Client, connection_id: str, dataset_id: str) -> list[dict]:
    return _client.centroids.configs(dataset_id)


def clear_listing_cache() -> None:
    """Forget listed datasets/schemas/aliases, e.g. after centroids were uploaded under a new alias."""
    for cached in (_datasets, _schema, _configs):
        cached.clear()


def render_pickers(client: Client, connection_id: str) -> None:
    """Draw the pickers (call inside `with st.sidebar`) and remember the Selection for this run."""
    st.session_state[_SELECTION] = None
    _seed_from_url()
    try:
        selection = _pick(client, connection_id)
    except (AuthenticationError, APIConnectionError) as err:
        st.error(describe(err, "Listing the datasets"), icon=":material/error:")
        return
    except APIError as err:
        st.warning(describe(err, "Reading the dataset"), icon=":material/warning:")
        return
    st.session_state[_SELECTION] = selection
    _mirror_to_url(selection)


def _pick(client: Client, connection_id: str) -> Selection | None:
    try:
        datasets = _datasets(client, connection_id)
    except APIError as err:
        if isinstance(err, (AuthenticationError, APIConnectionError)):
            raise
        datasets = None  # this endpoint cannot list datasets: take the name as text
    if datasets == []:
        st.info("This endpoint has no datasets yet.", icon=":material/inbox:")
        return None
    dataset_id = _choose("Dataset", datasets, "dataset_id", help="The dataset whose clusters you explore.")
    if not dataset_id:
        return None

    dimensions = vector_fields(_schema(client, connection_id, dataset_id))
    if not dimensions:
        st.info(f"`{dataset_id}` has no vector fields (fields ending in `_vector_`).", icon=":material/inbox:")
        return None
    vector_field = _choose(
        "Vector field", list(dimensions), "vector_field", format_func=lambda f: f"{f} · {dimensions[f]} dims"
    )
    if not vector_field:
        return None

    try:
        configs = _configs(client, connection_id, dataset_id)
    except APIError:
        configs = None  # older endpoints have no configs route: schema labels, else a text box
    aliases = cluster_aliases(vector_field, _schema(client, connection_id, dataset_id), configs or [])
    if configs is not None and not aliases:
        st.info(
            f"No clusterings of `{vector_field}` yet. Upload centroids on the **Upload centroids** page.",
            icon=":material/inbox:",
        )
        return None
    counts = {c["alias"]: c.get("count") for c in configs or [] if vector_field in c.get("vector_fields", [])}
    alias = _choose(
        "Clustering alias",
        aliases or None,
        "alias",
        format_func=lambda a: f"{a} · {counts[a]} centroids" if counts.get(a) else a,
        help="Which set of centroids (one clustering of this vector field).",
    )
    if not alias:
        return None
    return Selection(dataset_id, vector_field, dimensions.get(vector_field), alias)


def _choose(label: str, options: list[str] | None, key: str, **kwargs) -> str | None:
    """A selectbox over `options`, or a text box when they could not be listed."""
    if options is None:
        return st.text_input(label, key=key, placeholder="type the name", **kwargs).strip() or None
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    return st.selectbox(label, options, key=key, **kwargs)


def _seed_from_url() -> None:
    for key in URL_KEYS:
        if key not in st.session_state and key in st.query_params:
            st.session_state[key] = st.query_params[key]


def _mirror_to_url(selection: Selection | None) -> None:
    if selection is None:
        return
    for key in URL_KEYS:
        value = getattr(selection, key)
        if st.query_params.get(key) != value:
            st.query_params[key] = value
