"""The metadata editor's model: rows shown, the object the edits make, problems named where they are."""

from __future__ import annotations

from dataclasses import replace

from centroid_explorer.metadata import (
    ClusterFilter,
    ClusterNotes,
    Edits,
    FreeField,
    apply,
    edits_from,
    find_clusters,
    natural_key,
    tags_in,
)

STORED = {
    "description": "k-means, k=3",
    "run": {"algorithm": "kmeans", "k": 3},
    "clusters": {
        "cluster_10": {"label": "ten", "tags": ["a"], "score": 0.5},
        "cluster_2": {"label": 7},  # another tool wrote a number
    },
    "source": "sklearn",
    "owner": {"team": "search"},
}


def test_rows_cover_centroids_and_metadata_only_clusters_in_natural_order():
    edits = edits_from(STORED, ["cluster_1", "cluster_10"])

    assert list(edits.clusters) == ["cluster_1", "cluster_2", "cluster_10"]
    assert edits.clusters["cluster_10"] == ClusterNotes("cluster_10", "ten", "", ("a",))
    assert edits.description == "k-means, k=3"
    assert edits.free_fields == (FreeField("source", '"sklearn"'), FreeField("owner", '{"team": "search"}'))


def test_unchanged_edits_make_the_stored_object_exactly():
    mine, problems = apply(STORED, edits_from(STORED, ["cluster_1"]))

    assert mine == STORED  # the number label, `run` and the unknown `score` are all as read
    assert problems == []


def test_a_label_edit_changes_that_field_only():
    edits = edits_from(STORED)
    mine, problems = apply(STORED, edits.with_rows([replace(edits.clusters["cluster_10"], label="TEN")]))

    assert problems == []
    assert mine["clusters"]["cluster_10"] == {"label": "TEN", "tags": ["a"], "score": 0.5}
    assert mine["clusters"]["cluster_2"] == {"label": 7}


def test_free_fields_are_added_changed_and_deleted_as_json():
    edits = replace(edits_from(STORED), free_fields=(FreeField("owner", '{"team": "ads"}'), FreeField("reviewed", "true")))

    mine, problems = apply(STORED, edits)

    assert problems == []
    assert mine["owner"] == {"team": "ads"} and mine["reviewed"] is True
    assert "source" not in mine  # its row was deleted
    assert mine["run"] == STORED["run"]


def test_free_field_problems_name_the_key():
    edits = replace(
        edits_from(STORED),
        free_fields=(
            FreeField("owner", "search team"),  # text without quotes
            FreeField("clusters", "{}"),
            FreeField("x", "1"),
            FreeField("x", "2"),
            FreeField("", '"orphan"'),
        ),
    )

    _, problems = apply(STORED, edits)

    messages = [str(p) for p in problems]
    assert messages[0].startswith("field 'owner': the value is not JSON")
    assert messages[1].startswith("field 'clusters': 'clusters' is edited in its own place")
    assert messages[2] == "field 'x': appears twice; keep one row per key"
    assert messages[3] == "free fields: row 5 has a value but no key"


def test_a_too_long_label_names_the_cluster():
    edits = edits_from(STORED)
    _, problems = apply(STORED, edits.with_rows([replace(edits.clusters["cluster_2"], label="x" * 101)]))

    assert [(p.cluster_id, p.field) for p in problems] == [("cluster_2", "label")]
    assert "limit is 100" in problems[0].message


def test_natural_key_sorts_numbers_by_value():
    assert sorted(["c10", "c2", "b", "c1"], key=natural_key) == ["b", "c1", "c2", "c10"]


def test_natural_key_sorts_any_id_without_crashing():
    odd = ["²", "c٣", "c10", "c2", "x" * 300, "a\nb", " ", "שלום", "007", "7", "1e3", "-1", "9" * 5000, "½"]
    ordered = sorted(odd, key=natural_key)
    assert sorted(ordered) == sorted(odd)
    assert ordered.index("7") < ordered.index("9" * 5000)  # by value, past int()'s 4,300-digit limit
    assert ordered.index("c2") < ordered.index("c٣") < ordered.index("c10")  # Arabic-Indic 3 is a 3
    assert list(edits_from({}, odd).clusters) == ordered


def test_junk_metadata_reads_as_empty_edits():
    assert apply("not an object", Edits("", {}, ())) == ({}, [])


def test_a_value_another_tool_stored_does_not_block_saving_other_edits():
    edits = replace(edits_from(STORED), description="k-means, k=3, reviewed")

    mine, problems = apply(STORED, edits)

    assert problems == []  # cluster_2's number label was stored like that; it is written back as it was
    assert mine["clusters"]["cluster_2"] == {"label": 7}


def test_one_edit_among_many_clusters_copies_only_that_entry():
    """The edit step is linear in k: the untouched entries are shared with the stored object, not copied."""
    stored = {"clusters": {f"c{i}": {"label": f"l{i}", "tags": ["t"]} for i in range(2_000)}, "run": {"k": 2_000}}
    edits = edits_from(stored)

    mine, problems = apply(stored, edits.with_rows([replace(edits.clusters["c7"], label="seven")]))

    assert problems == [] and mine["clusters"]["c7"] == {"label": "seven", "tags": ["t"]}
    assert stored["clusters"]["c7"]["label"] == "l7"  # the stored object is left alone
    assert all(mine["clusters"][f"c{i}"] is stored["clusters"][f"c{i}"] for i in range(2_000) if i != 7)
    assert mine["run"] is stored["run"]


def test_with_rows_adds_a_new_cluster_in_its_natural_place_and_keeps_the_edits_when_nothing_changed():
    edits = edits_from(STORED, ["cluster_1"])

    assert edits.with_rows([edits.clusters["cluster_1"]]) is edits
    assert list(edits.with_rows([ClusterNotes("cluster_3", "three")]).clusters) == [
        "cluster_1", "cluster_2", "cluster_3", "cluster_10"
    ]


def test_the_table_finds_clusters_by_id_or_label_and_filters_and_orders_them():
    edits = edits_from(
        {"clusters": {"c1": {"label": "Alpha", "tags": ["x"]}, "c2": {"label": "beta"}, "c12": {"tags": ["x"]}}},
        ["c1", "c2", "c3", "c12"],
    )
    sizes = {"c1": 5, "c2": 9, "c3": 1}

    def ids(**wanted) -> list[str]:
        return [r.cluster_id for r in find_clusters(edits, ClusterFilter(sizes=sizes, **wanted), unsaved=["c3"])]

    assert ids() == ["c1", "c2", "c3", "c12"]
    assert ids(text="c1") == ["c1", "c12"]  # a substring of the id
    assert ids(text=" ALPHA ") == ["c1"]  # of the label, any case
    assert ids(show="labelled") == ["c1", "c2"]
    assert ids(show="unlabelled") == ["c3", "c12"]
    assert ids(show="unsaved") == ["c3"]
    assert ids(tag="x") == ["c1", "c12"]
    assert ids(order="largest") == ["c2", "c1", "c3", "c12"]  # no size known: last
    assert ids(order="smallest", show="labelled") == ["c1", "c2"]
    assert tags_in(edits) == ["x"]
