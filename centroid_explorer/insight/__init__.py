"""Know your clusters from what the API returns: suggested labels, quality against the stored
centroids, outliers and mis-assigned members, text search and nearest neighbours.

Everything is computed from the centroid and document routes of the contract, so it works against
any compatible endpoint. Large aliases are read as a sample spread over each cluster's ranking
(`members.read_members`); every result says how many members it read and whether that was all.
"""
