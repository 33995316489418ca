"""The cached reads of the Cluster documents, Curate, Compare and Upload pages.

They live here, not in the pages, for the reason components/map_data.py gives: a cached function is
kept by Streamlit for the life of the process, and one defined in a page script keeps the globals of
the run that defined it (on Curate or Compare, an alias's every assignment) alive with it.
"""

from __future__ import annotations

import streamlit as st

from centroid_explorer import curation, metadata
from centroid_explorer.alias_centroids import centroid_ids, read_centroids
from centroid_explorer.centroid_set import CentroidSet
from centroid_explorer.client import cluster_aliases
from centroid_explorer.cluster_sample import relevance_sample
from centroid_explorer.curation import AliasState, Comparison, compare_aliases
from centroid_explorer.insight.search import find_similar

HISTOGRAM_MEMBERS = 2000  # per cluster, spread over its ranking


@st.cache_data(ttl=300, show_spinner="Listing the clusters…")
def load_cluster_ids(_client, connection: str, dataset_id: str, vector_field: str, alias: str) -> list[str]:
    return centroid_ids(_client, dataset_id, vector_field, alias)


@st.cache_data(ttl=300, show_spinner="Comparing the document with the members of the nearest clusters…", max_entries=8)
def load_similar(_client, connection: str, selection, chosen: list[str], metric: str, page_size: int, page: int, document_id: str):
    answer = _client.centroids.documents(
        selection.dataset_id, chosen, selection.vector_field, alias=selection.alias, page_size=page_size, page=page,
        include_vector=True, similarity_metric=metric,
    )
    document = next((d for d in answer.get("results", []) if str(d.get("_id")) == document_id), None)
    if document is None or document.get(selection.vector_field) is None:
        return None
    return find_similar(_client, selection.dataset_id, selection.vector_field, selection.alias,
                        document[selection.vector_field], metric, exclude_id=document_id)


@st.cache_data(ttl=300, show_spinner="Reading the members' similarity to their centroid…")
def load_relevance(_client, connection: str, selection, cluster_id: str, metric: str):
    return relevance_sample(_client, selection.dataset_id, selection.vector_field, selection.alias, cluster_id,
                            metric, HISTOGRAM_MEMBERS)


@st.cache_data(ttl=300, show_spinner="Reading the alias's centroids and assignments…")
def load_state(_client, connection: str, dataset_id: str, vector_field: str, alias: str, generation: int) -> AliasState:
    return curation.read_state(_client, dataset_id, vector_field, alias)


@st.cache_data(ttl=300, show_spinner="Reading the cluster's documents…")
def load_cluster_members(_client, connection: str, dataset_id: str, vector_field: str, alias: str, cluster_id: str,
                         generation: int, _state: AliasState):
    return curation.read_members(_client, _state, [cluster_id])


@st.cache_data(ttl=60, show_spinner=False)
def load_aliases(_client, connection: str, dataset_id: str, vector_field: str) -> list[str]:
    return cluster_aliases(vector_field, _client.datasets.schema(dataset_id), _client.centroids.configs(dataset_id))


@st.cache_data(ttl=300, show_spinner="Reading both clusterings…")
def load_comparison(_client, connection: str, dataset_id: str, vector_field: str, alias_a: str, alias_b: str,
                    metric: str) -> tuple[Comparison, dict[str, str], dict[str, str]]:
    comparison = compare_aliases(_client, dataset_id, vector_field, alias_a, alias_b, metric)
    labels = [
        {cid: notes.label for cid, notes in metadata.cluster_notes(metadata.load(_client, dataset_id, vector_field, alias)).items()
         if notes.label}
        for alias in (alias_a, alias_b)
    ]
    return comparison, labels[0], labels[1]


@st.cache_data(ttl=30, show_spinner="Reading the current centroids…")
def current_centroids(_client, connection: str, dataset_id: str, vector_field: str, alias: str) -> CentroidSet:
    return read_centroids(_client, dataset_id, vector_field, alias)
