"""`python -m centroid_explorer ...`: run the API server, seed demo data, load, cluster, move centroids.

Commands that talk to an API go through the client module, like the dashboard. Where to:
`--base-url` (or $RELEVANCE_BASE_URL) with `--project` / `--api-key` (or $RELEVANCE_PROJECT /
$RELEVANCE_API_KEY) for any compatible endpoint; with no base URL, the command starts the
embedded server on the local data folder (`--data`, $CENTROID_EXPLORER_DATA, or the default) for
its own duration, so it works with nothing configured and sees the dashboard's data.

User errors (a bad file, an unknown dataset, a refused request) print one message and exit 1.
The API key is never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, alias_centroids, centroid_csv, config, endpoint
from .client import APIError, Client, NotFoundError, vector_fields
from .metrics import METRICS

if TYPE_CHECKING:  # imported where used at run time: tqdm is slow to import
    from tqdm import tqdm

EXIT_USER_ERROR = 1

DESCRIPTION = """\
Centroid Explorer: explore and curate vector clusters over the Relevance AI cluster-centroid API.

The dashboard is `streamlit run dashboard.py` (`make run`). These commands run its API server on its own and move
data in and out. Commands that talk to an API use, in order: --base-url (or RELEVANCE_BASE_URL)
with --project and --api-key (or RELEVANCE_PROJECT, RELEVANCE_API_KEY); otherwise the local
embedded server's data folder (--data, or CENTROID_EXPLORER_DATA, or
~/.local/share/centroid-explorer), the one the dashboard uses by default.
"""

EXAMPLES = """\
examples:
  python -m centroid_explorer serve --port 8000          # the API for other clients, the SDK included
  python -m centroid_explorer demo                       # seed the digits and python-docs datasets
  python -m centroid_explorer load docs.jsonl --dataset-id my-docs
  python -m centroid_explorer cluster --dataset-id my-docs --vector-field text_vector_ --k 8
  python -m centroid_explorer export-centroids --dataset-id digits --vector-field pixels_vector_ \\
      --alias kmeans-10 > centroids.csv
  python -m centroid_explorer import-centroids centroids.csv --dataset-id digits \\
      --vector-field pixels_vector_ --alias my-centroids
  python -m centroid_explorer suggest-labels --dataset-id python-docs --vector-field text_vector_ \\
      --alias kmeans-12 --format json
  python -m centroid_explorer quality --dataset-id digits --vector-field pixels_vector_ --alias kmeans-10
  python -m centroid_explorer merge-clusters --dataset-id digits --vector-field pixels_vector_ \\
      --alias kmeans-10 --clusters cluster_1,cluster_8 --into-alias kmeans-10-merged
  python -m centroid_explorer split-cluster --dataset-id digits --vector-field pixels_vector_ \\
      --alias kmeans-10 --cluster cluster_3 --k 2 --into-alias kmeans-10-split

  against a hosted endpoint (prefer the environment for the key: it stays out of shell history):
  export RELEVANCE_BASE_URL=https://api.us-east-1.relevance.ai/latest RELEVANCE_PROJECT=... RELEVANCE_API_KEY=...
  python -m centroid_explorer export-centroids --dataset-id ... --vector-field ... > centroids.csv

run `python -m centroid_explorer COMMAND --help` for a command's options.
"""


class UserError(Exception):
    """Something the user can fix; printed as one line, no traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except (UserError, APIError, centroid_csv.CentroidCSVError, ValueError, OSError) as error:
        print(f"error: {_message(error)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m centroid_explorer",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"centroid-explorer {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    serve = _command(commands, "serve", "run the embedded API server in the foreground (Ctrl-C stops it)",
                     "Serve the Relevance AI cluster-centroid API over the local data folder, for any client "
                     "(the dashboard, this CLI with --base-url, the official relevanceai SDK). Clients send "
                     "`Authorization: <project>:<api_key>`; with no key given, one is generated on first start "
                     "and kept in <data>/credentials.json. The API's schema is at /openapi.json (there is no "
                     "interactive docs page: it would load its scripts from the internet).")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument("--data", metavar="DIR", help="data folder (default: $CENTROID_EXPLORER_DATA or ~/.local/share/centroid-explorer)")
    serve.add_argument("--project", help="project name clients must send (default: $RELEVANCE_PROJECT, else the generated one)")
    serve.add_argument("--api-key", help="API key clients must send (default: $RELEVANCE_API_KEY, else the generated one)")
    serve.set_defaults(run=_serve)

    demo = _command(commands, "demo", "seed the demo datasets (digits, python-docs)",
                    "Make the demo datasets from what the installed packages ship (no download) and write them "
                    "with their centroids and metadata: `digits` (scikit-learn's 1,797 handwritten digits, "
                    "k-means k=10 under alias kmeans-10) and `python-docs` (docstrings of the standard library, "
                    "numpy, pandas and scikit-learn as LSA vectors, k-means k=12 under alias kmeans-12). "
                    "Running it again replaces the documents and centroids and keeps labels written since.")
    _connection_options(demo)
    demo.set_defaults(run=_demo)

    load = _command(commands, "load", "load documents from a JSONL, CSV or Parquet file",
                    "Load documents into a dataset (created if missing; an existing _id is replaced). "
                    "Every document needs a string `_id`; vector fields end in `_vector_` and hold a list of "
                    "numbers (or a JSON string of one, in CSV and Parquet). The whole file is checked first and "
                    "every problem is reported by line (JSONL, CSV: the header is line 1) or row (Parquet); "
                    "a file with any problem writes nothing.")
    load.add_argument("file", type=Path, metavar="FILE", help="a .jsonl, .ndjson, .csv or .parquet file")
    load.add_argument("--dataset-id", required=True, help="dataset to load into (lowercase letters, digits, - and _)")
    _connection_options(load)
    load.set_defaults(run=_load)

    cluster = _command(commands, "cluster", "run k-means on a dataset's vector field and store the clusters",
                       "Run scikit-learn k-means (seeded) over every document's vector field, then write each "
                       "document's `_cluster_.<field>.<alias>`, replace the alias's centroids with the new ones, "
                       "and record what was run (algorithm, k, date, inertia) under `run` in the alias metadata, "
                       "keeping its other keys (labels included).")
    cluster.add_argument("--dataset-id", required=True)
    cluster.add_argument("--vector-field", required=True, help="a field ending in _vector_")
    cluster.add_argument("--k", type=int, required=True, help="number of clusters (at least 2)")
    cluster.add_argument("--alias", help="name of this clustering (default: kmeans-<k>)")
    _connection_options(cluster)
    cluster.set_defaults(run=_cluster)

    import_ = _command(commands, "import-centroids", "write centroids from a CSV file to an alias",
                       "Read a centroid CSV (one row per centroid: an `_id` or `cluster_id` column and the "
                       "vector, either as one column of numbers / a JSON list, or one numeric column per "
                       "dimension; `export-centroids` writes one) and insert its centroids. The file is checked "
                       "against the vector field's dimension first; any problem is reported by row and column "
                       "and nothing is written.")
    import_.add_argument("file", type=Path, metavar="FILE.csv")
    _centroid_options(import_)
    import_.add_argument("--replace", action="store_true",
                         help="the alias already has centroids: make it hold exactly the file's "
                              "(without this, an alias that has centroids is refused)")
    _connection_options(import_)
    import_.set_defaults(run=_import_centroids)

    export = _command(commands, "export-centroids", "print an alias's centroids as CSV (redirect to a file)",
                      "Print the alias's centroids as CSV on standard output: `_id,v0,v1,...`, one row per "
                      "centroid, the format import-centroids and the dashboard's upload read back exactly.")
    _centroid_options(export)
    _connection_options(export)
    export.set_defaults(run=_export_centroids)
    _insight_commands(commands)
    _curation_commands(commands)
    return parser


def _insight_commands(commands) -> None:
    from .metrics import METRICS

    labels = _command(commands, "suggest-labels", "suggest a label for each cluster from its members' words",
                      "Suggest a label for every cluster of the alias: its most distinctive words by class-based "
                      "TF-IDF (each cluster's text against all clusters', English stop words out). The text comes "
                      "from --text-field, by default the field holding the most text. Large aliases are read as a "
                      "sample of each cluster (said on stderr). Nothing is written.")
    _insight_options(labels)
    labels.add_argument("--text-field", help="the members' field to read (default: the one with the most text)")
    labels.add_argument("--terms", type=int, default=5, help="distinctive words per cluster (default: %(default)s)")
    labels.add_argument("--format", choices=("table", "json"), default="table",
                        help='table, or json: {"<cluster_id>": {"label": ..., "terms": [...]}}')
    _connection_options(labels)
    labels.set_defaults(run=_suggest_labels)

    quality = _command(commands, "quality", "judge each cluster against its stored centroid, worst first",
                       "Per cluster, under the metric: size; cohesion (members' score to their own centroid: mean, "
                       "p10/p50/p90; a distance under l1/l2); the nearest other centroid; margin (median over "
                       "members of own-centroid minus best other-centroid score: above 0, closer to their own); "
                       "members closer to another centroid (likely mis-assigned); and an estimated silhouette on "
                       "a sample. Large aliases are read as a sample of each cluster (said on stderr). Worst first.")
    _insight_options(quality)
    quality.add_argument("--metric", choices=METRICS, default="cosine", help="similarity metric (default: %(default)s)")
    quality.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output format")
    _connection_options(quality)
    quality.set_defaults(run=_quality)


def _insight_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset-id", required=True)
    parser.add_argument("--vector-field", required=True, help="the vector field the centroids belong to")
    parser.add_argument("--alias", required=True, help="the clustering's name")


def _command(commands, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=summary, description=description)


def _centroid_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset-id", required=True)
    parser.add_argument("--vector-field", required=True, help="the vector field the centroids belong to")
    parser.add_argument("--alias", default="default", help="the clustering's name (default: %(default)s)")


def _connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where to connect (default: the local data folder)")
    group.add_argument("--base-url", help=f"an API base URL (default: ${config.ENV_BASE_URL})")
    group.add_argument("--project", help=f"project (default: ${config.ENV_PROJECT})")
    group.add_argument("--api-key", help=f"API key (default: ${config.ENV_API_KEY}; prefer the variable)")
    group.add_argument("--data", metavar="DIR", help="local data folder, used when no base URL is given")


@contextlib.contextmanager
def connect(args: argparse.Namespace) -> Iterator[Client]:
    """A client for the endpoint the options name, or for an embedded server on the local data folder."""
    env = config.connection_settings()
    base_url = args.base_url or env.get(config.ENV_BASE_URL)
    project = args.project or env.get(config.ENV_PROJECT)
    api_key = args.api_key or env.get(config.ENV_API_KEY)
    if base_url:
        if not project or not api_key:
            raise UserError(
                f"--base-url needs a project and an API key: --project/--api-key or "
                f"${config.ENV_PROJECT}/${config.ENV_API_KEY}"
            )
        with Client(base_url, project, api_key) as client:
            _check_base_url(client)
            yield client
        return
    from .server.runner import EmbeddedServer  # only local runs need the server's packages

    data = config.data_dir(args.data)
    print(f"using the local data folder {data} (give --base-url for another endpoint)", file=sys.stderr)
    with EmbeddedServer(data, project=args.project, api_key=args.api_key) as server:
        with Client(server.base_url, server.project, server.api_key) as client:
            yield client


def _check_base_url(client: Client) -> None:
    """A base URL that does not lead to the API is said so, before a command reads a 404 as "no centroids"."""
    try:
        client.datasets.list()
    except NotFoundError:
        raise UserError(f"{endpoint.WRONG_BASE_URL} (asked: {client.base_url})") from None


def _serve(args: argparse.Namespace) -> None:
    from .server.runner import serve

    try:
        serve(config.data_dir(args.data), host=args.host, port=args.port, project=args.project, api_key=args.api_key)
    except KeyboardInterrupt:
        pass


def _demo(args: argparse.Namespace) -> None:
    from . import demo

    with connect(args) as client:
        ids = demo.seed_demo(client, progress=lambda step: print(step, file=sys.stderr))
    print(f"seeded {', '.join(ids)}")


def _load(args: argparse.Namespace) -> None:
    from . import document_import

    with connect(args) as client, _ProgressBar(f"loading {args.file.name}") as bar:
        try:
            summary = document_import.load_file(client, args.file, args.dataset_id, progress=bar)
        except document_import.LoadError as error:
            raise UserError(f"{args.file} was not loaded, nothing was written:\n{error}") from None
    fields = ", ".join(f"{name} ({dim})" for name, dim in summary.vector_fields.items()) or "none"
    print(f"loaded {summary.inserted:,} documents into {summary.dataset_id}; vector fields: {fields}")


def _cluster(args: argparse.Namespace) -> None:
    from . import clustering

    with connect(args) as client, _ProgressBar("writing cluster assignments") as bar:
        summary = clustering.cluster_dataset(client, args.dataset_id, args.vector_field, args.k, args.alias, bar)
    skipped = f" ({summary.skipped:,} without {summary.vector_field} left out)" if summary.skipped else ""
    print(
        f"k-means k={args.k} on {summary.clustered:,} documents{skipped}: inertia {summary.run['inertia']:.6g}\n"
        f"wrote _cluster_.{summary.vector_field}.{summary.alias}, {args.k} centroids, and the run in its metadata"
    )


def _import_centroids(args: argparse.Namespace) -> None:
    size = args.file.stat().st_size  # OSError (no such file) is reported like any user error
    if size > centroid_csv.MAX_BYTES:
        raise UserError(f"{args.file} is {size:,} bytes; the limit is {centroid_csv.MAX_BYTES:,}")
    data = args.file.read_bytes()
    with connect(args) as client:
        dimension = _dimension_of(client, args.dataset_id, args.vector_field)
        try:
            centroids = centroid_csv.parse(data, expected_dimension=dimension)
        except centroid_csv.CentroidCSVError as error:
            raise UserError(f"{args.file} was not imported, nothing was written:\n{error}") from None
        try:
            result = alias_centroids.upload(
                client, args.dataset_id, args.vector_field, args.alias, centroids, replace=args.replace
            )
        except alias_centroids.AliasExistsError as error:
            raise UserError(f"{error} (here: add --replace)") from None
    removed = f", removed {result.removed} not in the file" if result.removed else ""
    print(f"imported {result.inserted} centroids into {args.dataset_id} / {args.vector_field} / {args.alias}{removed}")


def _export_centroids(args: argparse.Namespace) -> None:
    with connect(args) as client:
        centroids = alias_centroids.read_centroids(client, args.dataset_id, args.vector_field, args.alias)
    if not centroids.ids:
        raise UserError(f"no centroids in {args.dataset_id} / {args.vector_field} / {args.alias}")
    sys.stdout.write(centroid_csv.export(centroids.ids, centroids.vectors))


def _suggest_labels(args: argparse.Namespace) -> None:
    from .insight.labels import suggest_labels

    if args.terms < 1:
        raise UserError(f"--terms must be at least 1, got {args.terms}")
    with connect(args) as client:
        _require_centroids(client, args)
        suggestions = suggest_labels(
            client, args.dataset_id, args.vector_field, args.alias, text_field=args.text_field, terms=args.terms
        )
    if suggestions.text_field is None:
        raise UserError(f"the members of {args.alias} hold no text to suggest labels from")
    _say_what_was_read(suggestions.read, suggestions.total, suggestions.exact, f"text field {suggestions.text_field}")
    if args.format == "json":
        print(json.dumps(suggestions.as_json(), ensure_ascii=False, indent=2))
        return
    _print_table(["cluster_id", "label", "terms"],
                 [[cid, s.label, " ".join(s.terms)] for cid, s in suggestions.labels.items()])


def _quality(args: argparse.Namespace) -> None:
    from .insight.members import read_members
    from .insight.quality import cluster_quality

    with connect(args) as client:
        _require_centroids(client, args)
        members = read_members(client, args.dataset_id, args.vector_field, args.alias, args.metric)
    report = cluster_quality(members, args.metric)
    _say_what_was_read(report.read, report.total, report.exact, f"metric {args.metric}")
    print(f"silhouette: {report.silhouette_distance} distance, estimated on {report.silhouette_sample:,} members",
          file=sys.stderr)
    rows = [row.as_dict() for row in report.clusters]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    columns = list(rows[0]) if rows else []
    if args.format == "csv":
        import pandas as pd

        from .insight.outliers import table_csv

        sys.stdout.write(table_csv(pd.DataFrame(rows, columns=columns)))
        return
    _print_table(columns, [[_cell(row[c]) for c in columns] for row in rows])


def _require_centroids(client: Client, args: argparse.Namespace) -> None:
    if not alias_centroids.centroid_ids(client, args.dataset_id, args.vector_field, args.alias):
        raise UserError(f"no centroids in {args.dataset_id} / {args.vector_field} / {args.alias}")


def _say_what_was_read(read: int, total: int, exact: bool, what: str) -> None:
    sampled = "every member" if exact else "a sample spread over each cluster's ranking; figures are estimates"
    print(f"{what}: read {read:,} of {total:,} members ({sampled})", file=sys.stderr)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _print_table(columns: list[str], rows: list[list[object]]) -> None:
    """Aligned columns; every value on one line with control characters escaped (it is data)."""
    from .display import one_line

    cells = [[one_line(str(value)) for value in row] for row in [list[object](columns), *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for row in cells:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def _curation_commands(commands) -> None:
    where = ("By default the result is written to the alias itself, after the alias is read again and found as "
             "previewed; a failure part-way is undone. With --into-alias the alias stays as it is and the result "
             "(centroids, every document's assignment, the metadata with labels changed) goes to a new alias.")
    merge = _command(commands, "merge-clusters", "merge two or more clusters of an alias into the first one",
                     "Fold the listed clusters into the first one: their documents join it, its centroid is "
                     "recomputed from all their members under --metric, its label and tags combine theirs, and "
                     f"the others are removed. {where}")
    _centroid_options(merge)
    merge.add_argument("--clusters", required=True, help="cluster ids, comma-separated: c1,c2[,..] (c1 keeps its id)")
    split = _command(commands, "split-cluster", "split one cluster of an alias with k-means",
                     "Split one cluster into k parts by k-means (seeded) on its members: parts <id>-1 .. <id>-k, "
                     f"largest first, labelled '<label> (part i of k)', centroids under --metric. {where}")
    _centroid_options(split)
    split.add_argument("--cluster", required=True, help="the cluster to split")
    split.add_argument("--k", type=int, required=True, help="number of parts, 2 to 5")
    for parser, run in ((merge, _merge_clusters), (split, _split_cluster)):
        parser.add_argument("--into-alias", metavar="NEW", help="write the result to this new alias instead of in place")
        parser.add_argument("--metric", choices=METRICS, default="cosine",
                            help="how new centroids are computed: cosine, the normalised mean of normalised members; "
                                 "dp and l2, the mean; l1, the median (default: %(default)s)")
        _connection_options(parser)
        parser.set_defaults(run=run)


def _merge_clusters(args: argparse.Namespace) -> None:
    from . import curation  # scikit-learn and pandas: only these commands need them

    cluster_ids = [c.strip() for c in args.clusters.split(",") if c.strip()]
    _curate(args, lambda client, state: curation.preview_merge(client, state, cluster_ids, args.metric))


def _split_cluster(args: argparse.Namespace) -> None:
    from . import curation

    _curate(args, lambda client, state: curation.preview_split(client, state, args.cluster, args.k, args.metric))


def _curate(args: argparse.Namespace, make_plan) -> None:
    from . import curation

    with connect(args) as client:
        plan = make_plan(client, curation.read_state(client, args.dataset_id, args.vector_field, args.alias))
        print(plan.summary)
        for change in plan.size_changes():
            print(f"  {change.cluster_id}: {change.before:,} -> {change.after:,} documents")
        try:
            if args.into_alias is None:
                result = curation.write_in_place(client, plan)
            else:
                result = curation.write_new_alias(client, plan, args.into_alias)
        except curation.WriteFailedError as error:
            raise UserError(str(error)) from None
    print(f"wrote {args.dataset_id} / {args.vector_field} / {result.alias}: {result.centroids:,} centroids, "
          f"{result.documents:,} document assignments" + (f", {result.removed} removed" if result.removed else ""))


def _dimension_of(client: Client, dataset_id: str, vector_field: str) -> int:
    try:
        fields = vector_fields(client.datasets.schema(dataset_id))
    except NotFoundError:
        raise UserError(f"no dataset '{dataset_id}' on this endpoint") from None
    if vector_field not in fields:
        known = ", ".join(fields) or "none"
        raise UserError(f"dataset '{dataset_id}' has no vector field '{vector_field}' (its vector fields: {known})")
    return fields[vector_field]


class _ProgressBar:
    """A tqdm bar on stderr, created at the first report (when the total is known)."""

    def __init__(self, description: str):
        self.description = description
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int | None) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.description, unit="doc", file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _message(error: BaseException) -> str:
    if isinstance(error, FileNotFoundError):
        return f"no such file: {error.filename}"
    return str(error)  # the client's APIError messages name endpoint and status, never the key
