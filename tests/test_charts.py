"""The map's colours: each document is painted its cluster's colour (or its field value's), read back from
the figure the way plotly maps a number through a colour scale."""

from __future__ import annotations

import numpy as np
import pandas as pd

from centroid_explorer.centroid_set import CentroidSet
from centroid_explorer.cluster_sample import ClusterSample
from centroid_explorer.projection import Layout
from components import charts
from components.hover import tooltips


def _painted(marker) -> list[str]:
    """The colour plotly.js gives each point of a trace coloured by numbers on a scale: it interpolates
    between the two stops around the point's position, so both must be the point's one colour."""
    stops = [(float(position), fill) for position, fill in marker.colorscale]
    painted = []
    for value in marker.color:
        t = (float(value) - marker.cmin) / (marker.cmax - marker.cmin)
        j = max(i for i in range(len(stops) - 1) if stops[i][0] <= t)
        assert stops[j][0] <= t <= stops[j + 1][0] and stops[j][1] == stops[j + 1][1]
        painted.append(stops[j][1])
    return painted


def _sample(n: int, k: int) -> tuple[ClusterSample, Layout]:
    rng = np.random.default_rng(1)
    index = rng.integers(0, k, n)
    documents = pd.DataFrame({"_id": [f"d{i}" for i in range(n)], "cluster_id": [f"c{c}" for c in index],
                              "_relevance": rng.random(n), "kind": rng.choice(["a", "b", "c"], n)})
    centroids = CentroidSet([f"c{i}" for i in range(k)], rng.normal(size=(k, 4)).astype(np.float32))
    sample = ClusterSample(centroids=centroids, sizes=np.bincount(index, minlength=k), total=n, documents=documents,
                           document_vectors=rng.normal(size=(n, 4)).astype(np.float32), layout_centroids=centroids.vectors,
                           layout_metric="cosine", cluster_index=index, unplaced=0)
    return sample, Layout(documents=rng.normal(size=(n, 2)), centroids=rng.normal(size=(k, 2)), refined=True)


def test_each_document_has_its_clusters_colour_whatever_k():
    for k in (3, 80):  # more clusters than palette colours: colours repeat in order
        sample, layout = _sample(3_000, k)
        figure, traces = charts.cluster_map(sample, layout, {}, tooltips(sample, {}), "cosine")
        documents = figure.data[traces.roles.index("documents")]
        expected = [charts.colour(int(c)) for c in sample.cluster_index]
        assert _painted(documents.marker) == expected


def test_each_centroid_has_its_clusters_colour_and_only_the_found_one_keeps_it():
    sample, layout = _sample(500, 80)
    for highlighted in (None, 7):
        figure, traces = charts.cluster_map(sample, layout, {}, tooltips(sample, {}), "cosine", highlighted)
        painted = _painted(figure.data[traces.roles.index("centroids")].marker)
        expected = [charts.colour(i) if highlighted in (None, i) else charts.FADED_CENTROID for i in range(80)]
        assert painted == expected


def _spread(layout: Layout, k: int) -> Layout:
    """The centroids on a grid, far enough apart that no two names touch."""
    grid = np.column_stack([np.arange(k) % 9, np.arange(k) // 9]) * 10.0
    return Layout(documents=layout.documents, centroids=grid, refined=True)


def test_the_largest_clusters_and_the_found_one_are_named_beside_their_centroids():
    sample, layout = _sample(3_000, 80)
    layout = _spread(layout, 80)
    largest = set(np.argsort(-sample.sizes, kind="stable")[:charts.LARGEST_LABELLED].tolist())
    found = next(i for i in range(80) if i not in largest)
    labels = {sample.cluster_ids[found]: "<a href='x'>Found</a>"}
    for highlighted, named in ((None, largest), (found, largest | {found})):
        figure, traces = charts.cluster_map(sample, layout, labels, tooltips(sample, labels), "cosine", highlighted)
        names = figure.data[traces.roles.index("names")]
        at = {(x, y): text for x, y, text in zip(names.x, names.y, names.text, strict=True)}
        assert at == {tuple(layout.centroids[i]): charts.plotly_text(charts.cluster_names(sample.cluster_ids, labels)[i],
                                                                     charts.TEXT_CHARS) for i in named}
    assert "&lt;a href" in at[tuple(layout.centroids[found])]  # a label is text, never a link


def test_a_name_that_would_cover_another_is_left_out_and_the_found_clusters_is_kept():
    sample, layout = _sample(3_000, 80)
    layout = _spread(layout, 80)
    order = np.argsort(-sample.sizes, kind="stable")
    first, second, found = int(order[0]), int(order[1]), int(order[-1])
    centroids = layout.centroids.copy()
    centroids[second] = centroids[first] + [0.5, 0.5]  # the two largest side by side: one name, the larger's
    centroids[found] = centroids[order[2]] + [0.5, 0]
    layout = Layout(documents=layout.documents, centroids=centroids, refined=True)

    def named(highlighted):
        figure, traces = charts.cluster_map(sample, layout, {}, tooltips(sample, {}), "cosine", highlighted)
        names = figure.data[traces.roles.index("names")]
        return {int(np.flatnonzero((centroids == (x, y)).all(axis=1))[0]) for x, y in zip(names.x, names.y, strict=True)}

    assert first in named(None) and second not in named(None) and len(named(None)) == charts.LARGEST_LABELLED - 1
    assert found in named(found) and int(order[2]) not in named(found)  # the found one's name wins its place


def test_documents_coloured_by_a_field_match_its_legend():
    sample, layout = _sample(500, 5)
    by_field = charts.field_colours("kind", sample.documents["kind"])
    figure, traces = charts.cluster_map(sample, layout, {}, tooltips(sample, {}), "cosine", by_field=by_field)
    legend = {trace.name: trace.marker.color for trace, role in zip(figure.data, traces.roles, strict=True) if role == "legend"}
    painted = _painted(figure.data[0].marker)
    for value, colour in zip(sample.documents["kind"], painted, strict=True):
        assert colour == legend[value]


def test_a_documents_tooltip_has_its_id_cluster_and_closeness_in_the_metrics_terms():
    sample, layout = _sample(300, 4)
    for metric, line in (("cosine", "Cosine similarity to centroid"), ("l2", "Euclidean (L2) distance to centroid"),
                         ("dp", "Dot product with centroid")):
        figure, _ = charts.cluster_map(sample, layout, {"c1": "<b>Cats</b>"}, tooltips(sample, {"c1": "<b>Cats</b>"}), metric)
        documents = figure.data[0]
        assert f"{line}: %{{customdata[1]:.3f}}" in documents.hovertemplate
        first = sample.documents.iloc[0]
        assert documents.text[0].startswith(f"{first['_id']} · ")
        shown = -first["_relevance"] if metric == "l2" else first["_relevance"]  # distances shown positive
        assert documents.customdata[0][1] == np.float32(shown)
        assert sample.cluster_ids[int(documents.customdata[0][0])] == first["cluster_id"]
        cats = [text for text, cid in zip(documents.text, sample.documents["cluster_id"], strict=True) if cid == "c1"]
        assert cats and all(text.endswith(" · &lt;b&gt;Cats&lt;/b&gt;") for text in cats)  # the label, as text


def test_without_any_closeness_the_tooltip_leaves_the_line_out():
    sample, layout = _sample(300, 4)
    sample.documents["_relevance"] = None  # a server that does not send `_relevance`
    figure, _ = charts.cluster_map(sample, layout, {}, tooltips(sample, {}), "cosine")
    assert "centroid" not in figure.data[0].hovertemplate and "%{text}" in figure.data[0].hovertemplate
