"""What a dataset holds, read from its schema and its centroid configs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

VECTOR_SUFFIX = "_vector_"
CLUSTER_FIELD = "_cluster_"


def vector_fields(schema: Mapping[str, Any]) -> dict[str, int]:
    """Vector field -> dimension, for every `{"vector": n}` entry of a dataset schema, sorted by name."""
    return {
        field: int(kind["vector"])
        for field, kind in sorted(schema.items())
        if field.endswith(VECTOR_SUFFIX) and isinstance(kind, Mapping) and "vector" in kind
    }


def cluster_aliases(
    vector_field: str, schema: Mapping[str, Any], configs: Sequence[Mapping[str, Any]] | None = None
) -> list[str]:
    """The aliases of `vector_field`, sorted: those whose labels appear in the schema as
    `_cluster_.{vector_field}.{alias}`, and those that have centroids in `configs`
    (the answer of `client.centroids.configs(dataset_id)`)."""
    prefix = f"{CLUSTER_FIELD}.{vector_field}."
    found = {field[len(prefix) :] for field in schema if field.startswith(prefix) and len(field) > len(prefix)}
    found.update(
        config["alias"]
        for config in configs or []
        if vector_field in config.get("vector_fields", []) and config.get("alias")
    )
    return sorted(found)
