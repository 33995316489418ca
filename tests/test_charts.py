"""The map's colours: each document is painted its cluster's colour (or its field value's), read back from
the figure the way plotly maps a number through a colour scale."""

from __future__ import annotations

import numpy as np
import pandas as pd

from centroid_explorer.centroid_set import CentroidSet
from centroid_explorer.cluster_sample import ClusterSample
from centroid_explorer.projection import Layout
from components import charts


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
        figure, traces = charts.cluster_map(sample, layout, {}, np.full(3_000, "", dtype=object))
        documents = figure.data[traces.roles.index("documents")]
        expected = [charts.colour(int(c)) for c in sample.cluster_index]
        assert _painted(documents.marker) == expected


def test_documents_coloured_by_a_field_match_its_legend():
    sample, layout = _sample(500, 5)
    by_field = charts.field_colours("kind", sample.documents["kind"])
    figure, traces = charts.cluster_map(sample, layout, {}, np.full(500, "", dtype=object), by_field=by_field)
    legend = {trace.name: trace.marker.color for trace, role in zip(figure.data, traces.roles, strict=True) if role == "legend"}
    painted = _painted(figure.data[0].marker)
    for value, colour in zip(sample.documents["kind"], painted, strict=True):
        assert colour == legend[value]
