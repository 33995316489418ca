"""The embedded Relevance AI cluster-centroid API: FastAPI routes over a SQLite store."""
