"""Request and response models of the embedded server; they make its OpenAPI schema.

Request models ignore keys they do not know (SDKs of different years send different extras).
Responses are documented with these models but written with orjson directly, so that pages of
768-dim vectors are not validated field by field on the way out.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import contract

Metric = Literal["cosine", "l1", "l2", "dp"]
assert set(Metric.__args__) == set(contract.SIMILARITY_METRICS)

PageSize = Field(
    contract.DEFAULT_PAGE_SIZE, ge=1, le=contract.MAX_PAGE_SIZE, description=contract.describe("page_size")
)
Cursor = Field(None, description=contract.describe("cursor"))


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class FieldSelector(_Request):
    """Which clustering: dataset, vector field (either spelling) and alias."""

    dataset_id: str = Field(description="Unique name of the dataset.")
    vector_field: str | list[str] | None = Field(
        None, description="The clustered vector field (late-2021 spelling). " + contract.describe("vector_field")
    )
    vector_fields: list[str] | None = Field(None, description="The clustered vector field, as a list of one (2022 spelling).")
    alias: str = Field(contract.DEFAULT_ALIAS, description="Name of the clustering of that field.")


class CentroidsListRequest(FieldSelector):
    page_size: int = PageSize
    cursor: str | None = Cursor
    include_vector: bool = Field(False, description="Include each centroid's vector under the vector field.")


class CentroidsGetRequest(FieldSelector):
    cluster_ids: list[str] = Field(description="The centroids to return, in this order (repeat the key in a query string).")
    page_size: int = PageSize
    cursor: str | None = Cursor


class CentroidsInsertRequest(FieldSelector):
    cluster_centers: list[dict[str, Any]] = Field(
        description='Centroid documents {"_id": cluster_id, "<vector_field>": [floats]} (or the vector under '
        f"`{contract.LEGACY_CENTROID_VECTOR}`). " + contract.describe("insert")
    )


class CentroidsDocumentsRequest(FieldSelector):
    cluster_ids: list[str] = Field(default_factory=list, description="Clusters whose members to return; empty = all.")
    page_size: int = PageSize
    cursor: str | None = Cursor
    page: int = Field(contract.DEFAULT_PAGE, ge=1, description=contract.describe("documents_pages"))
    include_vector: bool = Field(False, description="Include the documents' vectors.")
    similarity_metric: Metric = Field(contract.DEFAULT_SIMILARITY_METRIC, description=contract.describe("relevance"))


class MetadataRequest(FieldSelector):
    metadata: dict[str, Any] | None = Field(
        None, description="With it: replace the stored object whole. Without it: read the stored object."
    )


class DatasetCreateRequest(_Request):
    id: str = Field(pattern=contract.DATASET_ID_PATTERN, description="The new dataset's id.")
    schema_: dict[str, Any] | None = Field(
        None, alias="schema", description='Optional field types, e.g. {"title_vector_": {"vector": 768}}.'
    )


class BulkInsertRequest(_Request):
    documents: list[dict[str, Any]] = Field(
        description="Documents with a string `_id`; fields ending in `_vector_` are vectors. "
        + contract.describe("vectors", "insert")
    )


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


class MetadataResponse(BaseModel):
    results: dict[str, Any]


class MetadataWriteResponse(MetadataResponse):
    status: str


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
