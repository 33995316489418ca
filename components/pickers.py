"""The sidebar's pickers: dataset, vector field (with its dimension) and clustering alias.

Options come from the dataset list, its schema and its centroid configs; where the endpoint cannot
list them, a text box takes the name instead. The choice is mirrored in st.query_params
(dataset_id / vector_field / alias, never credentials) so a URL reopens the same view. A name the
URL asks for that this connection lacks is not replaced by another one: the picker stays empty,
the pages say which name is missing (as text: it is data), and the URL keeps it until the user picks.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from centroid_explorer.client import APIConnectionError, APIError, AuthenticationError, Client, cluster_aliases, vector_fields
from centroid_explorer.display import markdown_code
from components.api_errors import describe

URL_KEYS = ("dataset_id", "vector_field", "alias")
_SELECTION = "picked_selection"
_URL_ASKED = "picked_url_asked"  # names the URL asked for, checked once against the lists
_MISSING = "picked_missing"  # {key: (context, name)}: pickers left empty because the URL's name is not listed
_NOT_FOUND = "picked_not_found"  # this run's messages about those names (Markdown-safe)
_LISTING_TTL_S = 60
_NAMES = {"dataset_id": "Dataset", "vector_field": "Vector field", "alias": "Alias"}


@dataclass(frozen=True)
class Selection:
    dataset_id: str
    vector_field: str
    dimension: int | None
    alias: str | None  # None: the vector field has no aliases yet (the upload page can create one)


@dataclass(frozen=True)
class AliasSelection(Selection):
    """A selection whose alias is chosen: what the pages that read clusters work on."""

    alias: str


def current_selection() -> Selection | None:
    """What the sidebar's pickers chose in this run, or None when no dataset and vector field are chosen."""
    return st.session_state.get(_SELECTION)


def not_found_in_url() -> list[str]:
    """What the URL asked for and this connection lacks (Markdown-safe), while that picker is empty."""
    return st.session_state.get(_NOT_FOUND, [])


def keep_url_selection() -> None:
    """Take the URL's names into the pickers' state although they are not drawn (no connection), so
    they are checked against the next connection's lists instead of being lost."""
    _seed_from_url()


def reset_for_new_connection() -> None:
    """Before switching connections: the old one's names mean nothing on the new one, except a link's
    names still waiting to be found (missing here, or never checked as the connection was lost);
    those are looked up in the new connection's lists."""
    missing = st.session_state.pop(_MISSING, {})
    asked = st.session_state.pop(_URL_ASKED, {})
    link = {key: st.session_state.get(key) for key in URL_KEYS} | asked | {k: name for k, (_, name) in missing.items()}
    for key in URL_KEYS:
        st.session_state.pop(key, None)
        st.query_params.pop(key, None)
    if missing or asked:
        pending = {key: name for key, name in link.items() if name}
        st.session_state.update(pending)
        st.session_state[_URL_ASKED] = pending


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
    not_found: list[str] = []
    st.session_state[_NOT_FOUND] = not_found
    try:
        selection = _pick(client, connection_id, not_found)
    except (AuthenticationError, APIConnectionError) as err:
        st.error(describe(err, "Listing the datasets"), icon=":material/error:")
        return
    except APIError as err:
        st.warning(describe(err, "Reading the dataset"), icon=":material/warning:")
        return
    st.session_state[_SELECTION] = selection
    _mirror_to_url(selection)


def _pick(client: Client, connection_id: str, not_found: list[str]) -> Selection | None:
    """The Selection drawn in the sidebar; `not_found` collects what the URL asked for and is not listed."""
    try:
        datasets = _listed("dataset_id", lambda: _datasets(client, connection_id))
    except APIError as err:
        if isinstance(err, (AuthenticationError, APIConnectionError)):
            raise
        datasets = None  # this endpoint cannot list datasets: take the name as text
    if datasets == []:
        st.info("This endpoint has no datasets yet.", icon=":material/inbox:")
        return None
    dataset_id = _choose("Dataset", datasets, "dataset_id", not_found, (), help="The dataset whose clusters you explore.")
    if not dataset_id:
        return None

    dimensions = _listed("vector_field", lambda: vector_fields(_schema(client, connection_id, dataset_id)))
    if not dimensions:
        st.info(f"{markdown_code(dataset_id)} has no vector fields (fields ending in `_vector_`).", icon=":material/inbox:")
        return None
    vector_field = _choose(
        "Vector field", list(dimensions), "vector_field", not_found, (dataset_id,),
        format_func=lambda f: f"{f} · {dimensions[f]} dims",
    )
    if not vector_field:
        return None

    def list_aliases() -> tuple[list[dict] | None, list[str]]:
        try:
            configs = _configs(client, connection_id, dataset_id)
        except APIError:
            configs = None  # older endpoints have no configs route: schema labels, else a text box
        return configs, cluster_aliases(vector_field, _schema(client, connection_id, dataset_id), configs or [])

    configs, aliases = _listed("alias", list_aliases, lambda listed: listed[1])
    if configs is not None and not aliases:
        context = (dataset_id, vector_field)
        if asked := st.session_state.get(_URL_ASKED, {}).pop("alias", None):
            st.session_state.setdefault(_MISSING, {})["alias"] = (context, asked)
        if (missing := st.session_state.get(_MISSING, {}).get("alias")) and missing[0] == context:
            not_found.append(f"{_missing_message('alias', missing[1], context)}, which has no aliases yet")
        st.info(f"No clusterings of {markdown_code(vector_field)} yet: upload centroids to create one.", icon=":material/inbox:")
        return Selection(dataset_id, vector_field, dimensions.get(vector_field), None)
    counts = {c["alias"]: c.get("count") for c in configs or [] if vector_field in c.get("vector_fields", [])}
    alias = _choose(
        "Clustering alias",
        aliases or None,
        "alias",
        not_found,
        (dataset_id, vector_field),
        format_func=lambda a: f"{a} · {counts[a]} centroids" if counts.get(a) else a,
        help="Which set of centroids (one clustering of this vector field).",
    )
    if not alias:
        return None
    return Selection(dataset_id, vector_field, dimensions.get(vector_field), alias)


def _listed(key: str, fetch, names=lambda listed: listed):
    """`fetch()`, listed afresh once if the URL asks for a name the cached list lacks: it may be newer
    than the cache (made by another tool, or shared as a link a moment ago)."""
    listed = fetch()
    asked = st.session_state.get(_URL_ASKED, {}).get(key)
    if asked is not None and names(listed) is not None and asked not in names(listed):
        clear_listing_cache()
        listed = fetch()
    return listed


def _choose(label: str, options: list[str] | None, key: str, not_found: list[str], context: tuple, **kwargs) -> str | None:
    """A selectbox over `options`, or a text box when they could not be listed. `context` is what was
    chosen above this picker. A name the URL asked for that is not among `options` leaves the picker
    empty, and `not_found` says so on every run, until the user picks one or changes `context`."""
    asked = st.session_state.get(_URL_ASKED, {}).pop(key, None)
    if options is None:
        return st.text_input(label, key=key, placeholder="type the name", **kwargs).strip() or None
    missing = st.session_state.setdefault(_MISSING, {})
    if st.session_state.get(key) in options:
        missing.pop(key, None)
    elif asked is not None:
        missing[key] = (context, asked)
        st.session_state[_URL_ASKED].clear()  # the URL's field and alias belonged to what is missing
        st.session_state[key] = None
    elif key in missing and missing[key][0] == context:
        st.session_state[key] = None  # still waiting for the user's pick
    else:
        missing.pop(key, None)
        st.session_state[key] = options[0]
    if key in missing:
        not_found.append(_missing_message(key, missing[key][1], context))
    return st.selectbox(label, options, key=key, placeholder="choose one", **kwargs)


def _missing_message(key: str, name: str, context: tuple) -> str:
    where = " / ".join(markdown_code(part) for part in context)
    return f"The link names {_NAMES[key].lower()} {markdown_code(name)}" + (f" of {where}" if where else "") + (
        ", which this connection does not have"
    )


def _seed_from_url() -> None:
    for key in URL_KEYS:
        if key not in st.session_state and key in st.query_params:
            st.session_state[key] = st.query_params[key]
            st.session_state.setdefault(_URL_ASKED, {})[key] = st.query_params[key]


def _mirror_to_url(selection: Selection | None) -> None:
    if selection is None:
        return
    for key in URL_KEYS:
        value = getattr(selection, key)
        if value is None:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def view_params(selection) -> dict[str, str]:
    """The query parameters that open this selection on another page (names, never credentials)."""
    return {key: getattr(selection, key) for key in URL_KEYS}
