"""Request and response models of the embedded server; they make its OpenAPI schema.

Request models ignore keys they do not know (SDKs of different years send different extras) and
take JSON values as they are (strict: `true` is not a page size, `"5"` is not a number). Where an
item's rules are checked by documents.py (so that a refused insert lists each bad `_id`), the
schema states the same rules by hand, from the same contract constants; tests hold the two together.
Responses are documented with these models but written with orjson directly, so that pages of
768-dim vectors are not validated field by field on the way out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..checks import FLOAT32_LIMIT
from ..metrics import Metric
from . import contract

Name = Annotated[str, Field(pattern=contract.NAME_PATTERN)]


def json_integer(value: Any) -> Any:
    """An integral float as the int it is: JSON Schema's integer takes 5.0 (strict mode refuses true and "5")."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Integer = Annotated[int, BeforeValidator(json_integer)]

# JSON Schema fragments for what documents.py checks.
NAME_SCHEMA = {"type": "string", "pattern": contract.NAME_PATTERN}
VECTOR_SCHEMA = {
    "type": "array", "minItems": 1, "maxItems": contract.MAX_DIMENSION,
    "items": {"type": "number", "exclusiveMinimum": -FLOAT32_LIMIT, "exclusiveMaximum": FLOAT32_LIMIT},
}
VECTOR_NAME_REGEX = f"{contract.VECTOR_SUFFIX}$"
CLUSTER_SCHEMA = {
    "type": "object", "propertyNames": {"pattern": contract.NAME_PATTERN},
    "additionalProperties": {
        "type": "object", "propertyNames": {"pattern": contract.NAME_PATTERN}, "additionalProperties": NAME_SCHEMA,
    },
}
DOCUMENT_SCHEMA = {
    "type": "object", "required": [contract.ID_FIELD], "propertyNames": {"pattern": contract.NAME_PATTERN},
    "properties": {contract.ID_FIELD: NAME_SCHEMA, contract.CLUSTER_FIELD: CLUSTER_SCHEMA},
    "patternProperties": {VECTOR_NAME_REGEX: VECTOR_SCHEMA},
}
CENTROID_SCHEMA = {
    "type": "object", "required": [contract.ID_FIELD], "propertyNames": {"pattern": contract.NAME_PATTERN},
    "properties": {contract.ID_FIELD: {"type": "string", "pattern": contract.CENTROID_ID_PATTERN}},
    "patternProperties": {VECTOR_NAME_REGEX: VECTOR_SCHEMA},
}
DATASET_SCHEMA_SCHEMA = {
    "type": "object", "propertyNames": {"pattern": contract.NAME_PATTERN},
    "patternProperties": {VECTOR_NAME_REGEX: {
        "type": "object", "required": ["vector"], "additionalProperties": False,
        "properties": {"vector": {"type": "integer", "minimum": 1, "maximum": contract.MAX_DIMENSION}},
    }},
    "additionalProperties": {"enum": list(contract.FIELD_TYPES)},
}
# A GET query names the field as `vector_field` (the routes also read `vector_fields`, unadvertised).
VECTOR_FIELD_QUERY = {
    "name": "vector_field", "in": "query", "required": True, "schema": NAME_SCHEMA,
    "description": "The clustered vector field. " + contract.describe("vector_field"),
}


def stated(schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A field's JSON schema replaced by `schema` (its description kept): for rules checked outside pydantic."""

    def replace(generated: dict[str, Any]) -> None:
        description = generated.get("description")
        generated.clear()
        generated.update(schema)
        if description:
            generated["description"] = description

    return replace


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


PageSize = Field(
    contract.DEFAULT_PAGE_SIZE, ge=1, le=contract.MAX_PAGE_SIZE, description=contract.describe("page_size")
)
Cursor = Field(None, json_schema_extra={"pattern": contract.CURSOR_PATTERN}, description=contract.describe("cursor"))


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class FieldSelector(_Request):
    """Which clustering: dataset, vector field (one of the two spellings) and alias."""

    # Exactly one spelling in the schema; the server also takes both when they agree (old SDKs).
    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["vector_field"]}, {"required": ["vector_fields"]}]})

    dataset_id: str = Field(description="Unique name of the dataset.")
    vector_field: str | list[str] | None = Field(
        None, description="The clustered vector field (late-2021 spelling). " + contract.describe("vector_field"),
        json_schema_extra=stated({"anyOf": [NAME_SCHEMA, {"type": "array", "items": NAME_SCHEMA, "minItems": 1,
                                                          "maxItems": 1}]}),
    )
    vector_fields: list[str] | None = Field(
        None, description="The clustered vector field, as a list of one (2022 spelling).",
        json_schema_extra=stated({"type": "array", "items": NAME_SCHEMA, "minItems": 1, "maxItems": 1}),
    )
    alias: Name = Field(contract.DEFAULT_ALIAS, description="Name of the clustering of that field.")


class CentroidsListRequest(FieldSelector):
    page_size: Integer = PageSize
    cursor: str | None = Cursor
    include_vector: bool = Field(False, description="Include each centroid's vector under the vector field.")


class CentroidsInsertRequest(FieldSelector):
    cluster_centers: list[dict[str, Any]] = Field(
        description='Centroid documents {"_id": cluster_id, "<vector_field>": [floats]} (or the vector under '
        f"`{contract.LEGACY_CENTROID_VECTOR}`). " + contract.describe("insert", "centroid_id", "depth"),
        json_schema_extra=stated({"type": "array", "items": CENTROID_SCHEMA}),
    )


class CentroidsDocumentsRequest(FieldSelector):
    cluster_ids: list[str] = Field(default_factory=list, description="Clusters whose members to return; empty = all.")
    page_size: Integer = PageSize
    cursor: str | None = Cursor
    page: Integer = Field(contract.DEFAULT_PAGE, ge=1, le=contract.MAX_PAGE, description=contract.describe("documents_pages"))
    include_vector: bool = Field(False, description="Include the documents' vectors.")
    similarity_metric: Metric = Field(contract.DEFAULT_SIMILARITY_METRIC, description=contract.describe("relevance"))


class CenterListRequest(FieldSelector):
    """`list_closest_to_center` / `list_furthest_from_center`, as the SDK 0.19.2 sends them."""

    cluster_ids: list[str] = Field(default_factory=list, description="Clusters to list; empty = every cluster.")
    page_size: Integer = Field(
        1, ge=1, le=contract.MAX_PAGE_SIZE, description="Documents per cluster (the SDK's default is 1)."
    )
    page: Integer = Field(contract.DEFAULT_PAGE, ge=1, le=contract.MAX_PAGE, description="1-based, per cluster.")
    similarity_metric: Metric = Field(contract.DEFAULT_SIMILARITY_METRIC, description=contract.describe("relevance"))
    select_fields: list[str] = Field(default_factory=list, description="Only these (dotted) fields, plus `_id`; empty = all.")
    include_vector: bool = Field(False, description="Include the documents' vectors.")
    filters: list[Any] = Field(
        default_factory=list, max_length=0, description=contract.describe("center_filters"),
    )


class MetadataRequest(FieldSelector):
    metadata: dict[str, Any] | None = Field(
        None, description="With it: replace the stored object whole. Without it: read the stored object. "
        + contract.describe("depth"),
    )


class DatasetCreateRequest(_Request):
    id: str = Field(pattern=contract.DATASET_ID_PATTERN, description="The new dataset's id. " + contract.describe("create"))
    schema_: dict[str, Any] | None = Field(
        None, alias="schema", description='Optional field types, e.g. {"title_vector_": {"vector": 768}}.',
        json_schema_extra=stated(nullable(DATASET_SCHEMA_SCHEMA)),
    )


class BulkInsertRequest(_Request):
    documents: list[dict[str, Any]] = Field(
        description="Documents with a string `_id`; fields ending in `_vector_` are vectors. "
        + contract.describe("vectors", "names", "insert", "depth"),
        json_schema_extra=stated({"type": "array", "items": DOCUMENT_SCHEMA}),
    )


# Top-level `_vector_` names in a partial update are vectors; dotted ones are paths into objects.
UPDATE_SCHEMA = {
    "type": "object", "required": [contract.ID_FIELD], "propertyNames": {"pattern": contract.UPDATE_PATH_PATTERN},
    "properties": {contract.ID_FIELD: NAME_SCHEMA, contract.CLUSTER_FIELD: CLUSTER_SCHEMA},
    "patternProperties": {f"^[^.]*{contract.VECTOR_SUFFIX}$": VECTOR_SCHEMA},
}


class BulkUpdateRequest(_Request):
    updates: list[dict[str, Any]] = Field(
        description='Partial updates {"_id": id, "field": value, "a.b": value}. ' + contract.describe("update", "depth"),
        json_schema_extra=stated({"type": "array", "items": UPDATE_SCHEMA}),
    )
    insert_date: bool = Field(True, description=contract.describe("insert_date"))


class DatasetDeleteRequest(_Request):
    dataset_id: str


# -- responses ---------------------------------------------------------------------------------


class FailedDocument(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str = Field(alias="_id")
    error: str


class ErrorResponse(BaseModel):
    message: str
    failed_documents: list[FailedDocument] | None = Field(None, description="On a refused insert: each bad item.")


class CentroidPage(BaseModel):
    documents: list[dict[str, Any]]
    cursor: str | None = Field(description=contract.describe("cursor"))
    count: int = Field(description=contract.describe("count"))


class ClusterDocumentsPage(BaseModel):
    results: list[dict[str, Any]] = Field(description="Member documents, each with `_relevance`, best first.")
    count: int = Field(description=contract.describe("count"))
    cursor: str | None = Field(description=contract.describe("cursor"))


class DocumentsPage(CentroidPage):
    pass


class InsertResponse(BaseModel):
    inserted: int
    failed_documents: list[FailedDocument] = Field(description="Always empty on success: inserts are all-or-nothing.")


class CenterListResponse(BaseModel):
    results: dict[str, list[dict[str, Any]]] = Field(description=contract.describe("center_results"))
    count: int = Field(description="Members of the listed clusters, across all pages.")


class MetadataResponse(BaseModel):
    results: dict[str, Any]


class MetadataWriteResponse(MetadataResponse):
    status: str


class MetadataVersion(BaseModel):
    version: str = Field(description="The version, as its ETag carries it (without the quotes).")
    written_at: str | None = Field(description="ISO 8601, UTC.")
    written_by: str | None = Field(description="The name of the API key that wrote it.")
    changed: list[list[str]] | None = Field(description="Key paths changed from the version before.")


class MetadataHistoryPage(BaseModel):
    results: list[MetadataVersion] = Field(description="Newest first.")
    cursor: str | None = Field(description=contract.describe("cursor"))
    count: int = Field(description=contract.describe("count"))


class ClusterSizesResponse(BaseModel):
    results: dict[str, int] = Field(description="Each cluster id with members, and how many.")
    count: int = Field(description="Documents assigned to the alias.")


class MetadataVersionResponse(MetadataResponse):
    version: str


class StatusResponse(BaseModel):
    status: str
    message: str


class AliasConfig(BaseModel):
    vector_fields: list[str]
    alias: str
    count: int = Field(description="Number of centroids.")


class ConfigsResponse(BaseModel):
    results: list[AliasConfig]


class DatasetListResponse(BaseModel):
    datasets: list[str]
    count: int


SchemaResponse = dict[str, str | dict[str, int]]


class HealthResponse(BaseModel):
    status: Literal["ok"]
