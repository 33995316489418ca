"""Centroid Explorer: explore and curate vector clusters over the Relevance AI centroid API."""

__version__ = "0.1.0"
