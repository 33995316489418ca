"""Demo datasets, made offline from what the installed packages ship: nothing is downloaded.

- `digits`: scikit-learn's 1,797 handwritten digits (8x8 pixels), k-means with k=10 on the pixels.
- `python-docs`: the docstrings of public functions and classes of the standard library, numpy,
  pandas and scikit-learn, as LSA vectors (TF-IDF + truncated SVD, fitted here), k-means k=12.

Both are seeded (fixed random states), so the same packages give the same data. Seeding takes a
few seconds: it runs when a newcomer first opens the dashboard on an empty embedded server.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import metadata
from .client import Client
from .clustering import KMeansRun, kmeans, with_assignment

DIGITS = "digits"
PYTHON_DOCS = "python-docs"

TEXT_DIMENSION = 128
TEXT_CLUSTERS = 12
RANDOM_STATE = 0

# Where the python-docs documents come from: modules with well-written docstrings a reader knows.
DOC_MODULES = (
    "json", "os", "os.path", "collections", "itertools", "functools", "re", "pathlib", "datetime", "math",
    "statistics", "string", "textwrap", "random", "csv", "sqlite3", "typing", "subprocess", "shutil",
    "urllib.parse", "http.client", "logging", "argparse", "unittest", "email.message", "xml.etree.ElementTree",
    "decimal", "fractions", "heapq", "bisect", "threading", "asyncio", "io", "zipfile", "tarfile", "hashlib",
    "base64", "difflib", "enum", "dataclasses", "contextlib", "inspect", "tempfile", "glob", "fnmatch", "pickle",
    "copy", "pprint", "uuid", "socket", "struct", "time", "calendar", "operator", "abc",
    "numpy", "numpy.linalg", "numpy.random", "numpy.fft", "numpy.ma", "numpy.polynomial",
    "pandas", "pandas.api.types",
    "sklearn.cluster", "sklearn.decomposition", "sklearn.linear_model", "sklearn.metrics", "sklearn.preprocessing",
    "sklearn.feature_extraction.text", "sklearn.model_selection", "sklearn.ensemble", "sklearn.neighbors",
    "sklearn.svm", "sklearn.manifold", "sklearn.pipeline", "sklearn.tree", "sklearn.datasets",
    "sklearn.naive_bayes", "sklearn.impute",
)  # fmt: skip
# Their methods are what pandas users look up most.
DOC_CLASSES_WITH_METHODS = ("pandas.DataFrame", "pandas.Series", "pandas.Index")
MIN_DOCSTRING = 40  # characters; shorter ones say nothing a reader can use
TEXT_FIELD_LIMIT = 400  # characters of the first paragraph kept as `text`

# Docstring boilerplate ("Read more in the :ref:`User Guide`", "versionadded") that says nothing of the topic.
DOCSTRING_STOP_WORDS = frozenset(
    "ref guide user read true false default defaults optional versionadded versionchanged deprecated "
    "return returns returned new added use used using quick start meth func attr obj".split()
)
_NUMPYDOC_SECTION = re.compile(r"\n(Parameters|Returns|Examples|See Also|Notes|Attributes)\n-{3,}")


@dataclass(frozen=True)
class DemoDataset:
    dataset_id: str
    vector_field: str
    alias: str
    documents: list[dict[str, Any]]  # vectors as lists, `_cluster_` set
    centroids: list[dict[str, Any]]
    metadata: dict[str, Any]


def digits() -> DemoDataset:
    from sklearn.datasets import load_digits

    data = load_digits()
    pixels = data.data.astype(np.float32)
    run = kmeans(pixels, 10)
    vector_field, alias = "pixels_vector_", "kmeans-10"
    documents = [
        with_assignment(
            {
                "_id": f"digit-{i:04d}",
                "digit": int(digit),
                "image": image.astype(int).tolist(),
                "picture": _ascii_picture(image),
                vector_field: vector.tolist(),
            },
            vector_field,
            alias,
            assigned,
        )
        for i, (digit, image, vector, assigned) in enumerate(zip(data.target, data.images, pixels, run.assignments, strict=False))
    ]
    truths = [int(d) for d in data.target]
    notes = {}
    for cluster in run.cluster_ids:
        members = Counter(t for t, a in zip(truths, run.assignments, strict=False) if a == cluster)
        size = sum(members.values())
        (top, top_count), *others = members.most_common(3)
        notes[cluster] = {
            "label": f"mostly {top}s ({100 * top_count // size}%)",
            "description": f"{size} images; "
            + ", ".join(f"{count} of digit {digit}" for digit, count in members.most_common(3)),
            "tags": [f"digit-{top}"],
        }
    metadata = {
        "description": "scikit-learn's handwritten digits (UCI), 8x8 grey images; k-means on the 64 pixel values",
        "source": "sklearn.datasets.load_digits",
        "run": run.record(),
        "clusters": notes,
    }
    return DemoDataset(DIGITS, vector_field, alias, documents, run.centroids.as_cluster_centers(vector_field), metadata)


def python_docs() -> DemoDataset:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    from sklearn.preprocessing import normalize

    entries = list(_docstrings())
    vectorizer = TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | DOCSTRING_STOP_WORDS), sublinear_tf=True, min_df=2, max_df=0.4,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
    )
    tfidf = vectorizer.fit_transform([e["body"] for e in entries])
    svd = TruncatedSVD(n_components=TEXT_DIMENSION, random_state=RANDOM_STATE)
    vectors = normalize(svd.fit_transform(tfidf)).astype(np.float32)
    run = kmeans(vectors, TEXT_CLUSTERS)
    vector_field, alias = "text_vector_", f"kmeans-{TEXT_CLUSTERS}"
    documents = [
        with_assignment(
            {
                "_id": e["name"],
                "name": e["name"],
                "module": e["module"],
                "kind": e["kind"],
                "text": e["text"],
                vector_field: vector.tolist(),
            },
            vector_field,
            alias,
            assigned,
        )
        for e, vector, assigned in zip(entries, vectors, run.assignments, strict=False)
    ]
    metadata = {
        "description": "Docstrings of public functions and classes in the Python standard library, numpy, pandas "
        f"and scikit-learn; {TEXT_DIMENSION}-dim LSA vectors (TF-IDF + truncated SVD), k-means",
        "source": "docstrings of the installed packages",
        "run": run.record(),
        "clusters": _text_cluster_notes(run, tfidf, vectorizer.get_feature_names_out(), entries),
    }
    return DemoDataset(PYTHON_DOCS, vector_field, alias, documents, run.centroids.as_cluster_centers(vector_field), metadata)


DEMO_DATASETS: dict[str, Callable[[], DemoDataset]] = {DIGITS: digits, PYTHON_DOCS: python_docs}


def seed_demo(client: Client, progress: Callable[[str], None] | None = None) -> list[str]:
    """Write every demo dataset through `client`; returns their ids.

    Safe to run again: documents and centroids are replaced by id, and metadata already stored
    wins over the demo's (a label someone wrote is kept; missing demo keys are filled in).
    """
    for dataset_id, make in DEMO_DATASETS.items():
        if progress:
            progress(f"making {dataset_id}")
        demo = make()
        if progress:
            progress(f"writing {dataset_id} ({len(demo.documents):,} documents)")
        write(client, demo)
    return list(DEMO_DATASETS)


def seed_if_empty(client: Client) -> bool:
    """Seed the demo datasets only when the server has no dataset at all. True if it seeded."""
    if client.datasets.list():
        return False
    seed_demo(client)
    return True


def write(client: Client, demo: DemoDataset) -> None:
    answer = client.datasets.bulk_insert(demo.dataset_id, demo.documents)
    if answer["failed_documents"]:
        raise RuntimeError(f"the server refused demo documents of {demo.dataset_id}: {answer['failed_documents'][:3]}")
    client.centroids.insert(demo.dataset_id, demo.centroids, demo.vector_field, demo.alias)
    stored = metadata.load(client, demo.dataset_id, demo.vector_field, demo.alias)
    merged = metadata.merge({}, demo.metadata, stored, prefer="theirs").merged
    client.centroids.metadata(demo.dataset_id, demo.vector_field, demo.alias, merged)


def _ascii_picture(image: np.ndarray) -> str:
    """The 8x8 image as 8 lines of characters, darker ink denser: readable in a hover box."""
    shades = " .:-=+*#%@"
    return "\n".join("".join(shades[min(int(v) * len(shades) // 17, len(shades) - 1)] for v in row) for row in image)


def _docstrings() -> Iterator[dict[str, str]]:
    seen: dict[int, Any] = {}  # holds each object so its id() cannot be reused by a later temporary one
    for module_name in DOC_MODULES:
        module = importlib.import_module(module_name)
        names = sorted({n for n in (getattr(module, "__all__", None) or dir(module)) if not n.startswith("_")})
        for name in names:
            obj = _attribute(module, name)
            if obj is None or inspect.ismodule(obj) or not callable(obj):
                continue
            kind = "class" if inspect.isclass(obj) else "function"
            yield from _entry(f"{module_name}.{name}", module_name, kind, obj, seen)
            if f"{module_name}.{name}" in DOC_CLASSES_WITH_METHODS:
                for attribute in sorted(a for a in dir(obj) if not a.startswith("_")):
                    method = _attribute(obj, attribute)
                    yield from _entry(f"{module_name}.{name}.{attribute}", module_name, "method", method, seen)


def _attribute(owner: Any, name: str) -> Any:
    try:
        return getattr(owner, name)
    except Exception:  # lazy modules raise on names that need an opt-in import (sklearn's experimental ones)
        return None


def _entry(name: str, module: str, kind: str, obj: Any, seen: dict[int, Any]) -> Iterator[dict[str, str]]:
    if obj is None or id(obj) in seen:  # one entry per object, under the first name met
        return
    seen[id(obj)] = obj
    doc = inspect.getdoc(obj)
    if not doc or len(doc) < MIN_DOCSTRING:
        return
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n") if p.strip()]
    short_name = name.rsplit(".", 1)[-1]
    if len(paragraphs) > 1 and paragraphs[0].startswith(short_name + "("):
        paragraphs = paragraphs[1:]  # numpy ufuncs open with their signature
    text = paragraphs[0]
    if len(text) > TEXT_FIELD_LIMIT:
        text = text[: TEXT_FIELD_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    body = _NUMPYDOC_SECTION.split(doc, maxsplit=1)[0][:1500]  # the prose, not the parameter tables
    yield {"name": name, "module": module, "kind": kind, "text": text, "body": f"{short_name} {body}"}


def _text_cluster_notes(run: KMeansRun, tfidf, terms, entries) -> dict[str, dict[str, Any]]:
    """Label each cluster with the terms that set it apart: highest mean TF-IDF in it over the mean overall."""
    assignments = np.array(run.assignments)
    overall = np.asarray(tfidf.mean(axis=0)).ravel()
    notes = {}
    for cluster in run.cluster_ids:
        members = np.flatnonzero(assignments == cluster)
        inside = np.asarray(tfidf[members].mean(axis=0)).ravel()
        top = [str(terms[i]) for i in np.argsort(-(inside - overall))[:6]]
        modules = Counter(entries[i]["module"].split(".")[0] for i in members).most_common(3)
        notes[cluster] = {
            "label": ", ".join(top[:3]),
            "description": f"{len(members)} docstrings, mostly from "
            + ", ".join(f"{m} ({100 * c // len(members)}%)" for m, c in modules if 20 * c >= len(members)),
            "tags": top,
        }
    return notes
