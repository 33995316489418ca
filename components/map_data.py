"""What the map page keeps between runs: its fetches, tooltips and suggested labels, and the poll that
reruns it when a layout is ready.

They live here, not in the page script, because whatever outlives a run holds the globals of the
code that defined it: a cached function or a fragment defined in the page would keep that run's
whole namespace (its sample, figure and tooltips, ~0.1 GB at 200,000 documents) alive in the cache
registry and in every closed tab's session until Streamlit drops it (benchmarks/README.md).
"""

from __future__ import annotations

import streamlit as st

from centroid_explorer.cluster_sample import RELEVANCE, ClusterSample
from centroid_explorer.fetches import Fetches
from centroid_explorer.insight.labels import class_tfidf_terms
from centroid_explorer.insight.members import string_fields
from centroid_explorer.projection import ProjectionJob
from components.hover import Tooltips, tooltips

SAMPLE_TTL_S = 1800  # outlives the longest fetch, so a large one is never started over on its own
# Documents held in finished samples (~0.5 KB each with their tooltips): one 200,000-document map and a few at
# the default cap. A second map of 200,000 lets go of the first before it is fetched, so that the dashboard
# stays within 1 GB; opening the first again fetches it again.
SAMPLE_BUDGET = 250_000
REFINE_POLL_S = 1.0


@st.cache_resource(show_spinner=False)
def sample_fetches() -> Fetches:
    """One per process: a fetch goes on (and is found again) when its page is left. Each weighs its cap."""
    return Fetches(ttl=SAMPLE_TTL_S, budget=SAMPLE_BUDGET)


@st.cache_data(ttl=SAMPLE_TTL_S, max_entries=2, show_spinner=False)  # as many as sample_fetches keeps
def load_tooltips(_sample: ClusterSample, key: tuple, labels: dict[str, str]) -> Tooltips:
    return tooltips(_sample, labels)


@st.cache_data(ttl=SAMPLE_TTL_S, max_entries=4, show_spinner="Suggesting labels from the clusters' words…")
def load_suggestions(_sample: ClusterSample, key: tuple, unlabelled: tuple[str, ...]) -> dict[str, str]:
    """Suggested labels (class-based TF-IDF over the drawn documents' main text field) for the clusters
    without a label: what a cluster is about, before anyone has named it."""
    readable = _sample.documents.drop(columns=["_id", "cluster_id", RELEVANCE])
    # One row at a time: 200,000 row dicts at once cost ~70 MB for a moment.
    fields = string_fields(dict(zip(readable.columns, row, strict=True)) for row in readable.itertuples(index=False, name=None))
    if not unlabelled or not fields:
        return {}
    wanted = set(unlabelled)
    texts: dict[str, list[str]] = {cid: [] for cid in _sample.cluster_ids}
    for cluster_id, text in zip(_sample.documents["cluster_id"], _sample.documents[fields[0]], strict=True):
        if isinstance(text, str):
            texts[cluster_id].append(text)
    return {cid: s.label for cid, s in class_tfidf_terms(texts).items() if cid in wanted and s.label}


@st.fragment(run_every=REFINE_POLL_S)
def rerun_when_laid_out(job: ProjectionJob) -> None:
    """Cheap polling while UMAP runs: nothing is redrawn until the layout is ready."""
    if job.done():
        st.rerun(scope="app")
