"""Suggested cluster labels: each cluster's distinctive words, by class-based TF-IDF (as BERTopic does).

All members' text of one cluster is one "class document". With term counts tf (per class, as a
share of the class's words) and f_t (the term's count over all classes), a term's weight in a class
is tf * log(1 + A / f_t), A being the average number of words per class: frequent in this cluster
and rare across the others. English stop words are left out; words are runs of two or more letters.
Nothing is downloaded (scikit-learn's CountVectorizer). The words come from at most LABEL_TEXT_CHARS
characters, shared evenly by the clusters, each taking its texts in the order given (closest to the
centroid first, as members are read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from centroid_explorer.insight.members import MEMBER_BUDGET, Members, read_members, string_fields

TERMS = 5
LABEL_TERMS = 3  # the suggested label is its first terms joined
# scikit-learn holds a Python int per word while it counts: ~0.1 GB at this many characters, ~0.5 GB for
# the 100 M characters of a 200,000-document map of long texts.
LABEL_TEXT_CHARS = 10_000_000
_WORDS = r"(?u)\b[^\W\d_][^\W\d_]+\b"  # letters only: no numbers, ids or underscores


@dataclass(frozen=True)
class SuggestedLabel:
    label: str  # "" when the cluster has no text
    terms: list[str]  # most distinctive first


@dataclass(frozen=True)
class Suggestions:
    text_field: str | None  # None when the members hold no text
    labels: dict[str, SuggestedLabel]  # by cluster id, every cluster of the alias
    read: int  # members whose text was read
    total: int
    exact: bool  # every member's text was read

    def as_json(self) -> dict[str, dict]:
        return {cid: {"label": s.label, "terms": s.terms} for cid, s in self.labels.items()}


def class_tfidf_terms(
    texts: Mapping[str, Sequence[str]], terms: int = TERMS, chars: int = LABEL_TEXT_CHARS
) -> dict[str, SuggestedLabel]:
    """The `terms` most distinctive words of each cluster's `texts` against the other clusters', from at
    most `chars` characters of them."""
    from sklearn.feature_extraction.text import CountVectorizer  # scikit-learn is slow to import

    cluster_ids = list(texts)
    empty = {cid: SuggestedLabel("", []) for cid in cluster_ids}
    share = max(chars // max(len(cluster_ids), 1), 1)
    documents = [" ".join(_first_chars(texts[cid], share)) for cid in cluster_ids]
    counts = CountVectorizer(stop_words="english", token_pattern=_WORDS)
    try:
        matrix = counts.fit_transform(documents).astype(np.float64).tocsr()  # (k, V)
    except ValueError:  # no words at all once stop words are out
        return empty
    words = counts.get_feature_names_out()
    per_class = np.asarray(matrix.sum(axis=1)).ravel()
    per_term = np.asarray(matrix.sum(axis=0)).ravel()
    average = per_class.sum() / max(len(cluster_ids), 1)
    idf = np.log(1 + average / per_term)
    labels = {}
    for row, cluster_id in enumerate(cluster_ids):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            labels[cluster_id] = empty[cluster_id]
            continue
        columns = matrix.indices[start:end]
        weights = matrix.data[start:end] / per_class[row] * idf[columns]
        order = np.lexsort((words[columns], -weights))[:terms]  # ties: alphabetical, for a stable answer
        top = [str(words[columns[i]]) for i in order]
        labels[cluster_id] = SuggestedLabel(", ".join(top[:LABEL_TERMS]), top)
    return labels


def _first_chars(texts: Sequence[str], chars: int) -> list[str]:
    """The texts, in order, up to `chars` characters in all (the last one cut)."""
    kept: list[str] = []
    for text in texts:
        if chars <= 0:
            break
        kept.append(text[:chars])
        chars -= len(text)
    return kept


def suggest_labels(
    client,
    dataset_id: str,
    vector_field: str,
    alias: str,
    text_field: str | None = None,
    terms: int = TERMS,
    budget: int = MEMBER_BUDGET,
) -> Suggestions:
    """A suggested label for every cluster of the alias, from its members' `text_field` (default: the
    field holding the most text). Raises ValueError when `text_field` holds no text in any member."""
    members = read_members(client, dataset_id, vector_field, alias, budget=budget, include_vector=False)
    return suggestions_from(members, text_field, terms)


def suggestions_from(members: Members, text_field: str | None = None, terms: int = TERMS) -> Suggestions:
    """`suggest_labels` over members already read (with or without vectors)."""
    fields = string_fields(members.fields)
    if text_field is None:
        text_field = fields[0] if fields else None
    elif text_field not in fields:
        known = ", ".join(fields) or "none"
        raise ValueError(f"no member has text in the field {text_field!r} (fields with text: {known})")
    texts: dict[str, list[str]] = {cid: [] for cid, asked in zip(members.cluster_ids, members.asked, strict=True) if asked}
    for index, document in zip(members.cluster_index, members.fields, strict=True):
        value = document.get(text_field) if text_field else None
        if isinstance(value, str):
            texts[members.cluster_ids[index]].append(value)
    return Suggestions(
        text_field=text_field, labels=class_tfidf_terms(texts, terms), read=len(members.ids),
        total=int(members.sizes.sum()), exact=members.exact,
    )
