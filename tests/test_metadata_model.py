"""The metadata model: lenient reading, writes that keep foreign keys, validation, diff, three-way merge."""

from __future__ import annotations

import copy

import pytest

from centroid_explorer import metadata as cm
from centroid_explorer.metadata import ClusterNotes

STORED = {
    "description": "Digits clustered by pixels",
    "owner": "another-tool",  # a key the dashboard does not know
    "run": {"algorithm": "kmeans", "k": 2},
    "clusters": {
        "cluster_0": {"label": "zeros", "description": "round", "tags": ["round", "closed"], "color": "#f00"},
        "cluster_1": {"label": "ones", "score": 0.9},
    },
}


def test_reading_returns_notes_for_every_cluster():
    assert cm.alias_description(STORED) == "Digits clustered by pixels"
    assert cm.run_info(STORED) == {"algorithm": "kmeans", "k": 2}
    assert cm.cluster_notes(STORED) == {
        "cluster_0": ClusterNotes("cluster_0", "zeros", "round", ("round", "closed")),
        "cluster_1": ClusterNotes("cluster_1", "ones", "", ()),
    }
    assert cm.notes_for(STORED, "cluster_9") == ClusterNotes("cluster_9")


@pytest.mark.parametrize(
    "junk",
    [None, [], "text", 3, {"clusters": "oops"}, {"clusters": ["a"]}, {"description": {"x": 1}, "run": "no"}],
)
def test_junk_reads_as_empty(junk):
    assert cm.cluster_notes(junk) == {}
    assert cm.alias_description(junk) == ""
    assert cm.run_info(junk) == {}


def test_odd_entries_are_read_leniently():
    metadata = {"clusters": {"a": "junk", "b": {"label": 7, "tags": "solo"}, "c": {"tags": ["x", 5, None, " "]}}}
    assert cm.cluster_notes(metadata) == {
        "a": ClusterNotes("a"),
        "b": ClusterNotes("b", "7", "", ("solo",)),
        "c": ClusterNotes("c", "", "", ("x", "5")),
    }


def test_editing_a_cluster_keeps_every_unknown_key_and_leaves_the_input_alone():
    before = copy.deepcopy(STORED)
    edited = cm.with_cluster_notes(STORED, "cluster_0", label=" zeros and sixes ", tags=["round", " round", "", "x"])
    assert STORED == before
    assert edited["owner"] == "another-tool"
    assert edited["run"] == {"algorithm": "kmeans", "k": 2}
    assert edited["clusters"]["cluster_0"] == {
        "label": "zeros and sixes",
        "description": "round",  # not given: left as stored
        "tags": ["round", "x"],  # trimmed, blanks and repeats dropped
        "color": "#f00",
    }
    assert edited["clusters"]["cluster_1"] == {"label": "ones", "score": 0.9}


def test_writing_into_empty_or_junk_metadata_makes_a_proper_object():
    assert cm.with_cluster_notes(None, "c", description="d") == {"clusters": {"c": {"description": "d"}}}
    assert cm.with_cluster_notes({"clusters": "junk", "keep": 1}, "c", label="L") == {
        "clusters": {"c": {"label": "L"}},
        "keep": 1,
    }


def test_alias_description_run_and_labels_keep_other_keys():
    updated = cm.with_run(cm.with_alias_description(STORED, "new"), {"algorithm": "kmeans", "k": 3})
    updated = cm.with_cluster_notes(cm.with_cluster_notes(updated, "cluster_1", label="ones!"), "cluster_2", label="twos")
    assert updated["description"] == "new"
    assert updated["run"] == {"algorithm": "kmeans", "k": 3}
    assert updated["owner"] == "another-tool"
    assert updated["clusters"]["cluster_1"] == {"label": "ones!", "score": 0.9}
    assert updated["clusters"]["cluster_2"] == {"label": "twos"}
    assert updated["clusters"]["cluster_0"] == STORED["clusters"]["cluster_0"]


def test_valid_metadata_has_no_problems():
    assert cm.validate(STORED) == []
    assert cm.validate({}) == []


def test_validation_names_the_cluster_and_the_field():
    metadata = {
        "description": "d" * (cm.MAX_ALIAS_DESCRIPTION + 1),
        "run": [],
        "clusters": {
            "c1": {"label": "x" * (cm.MAX_LABEL + 1), "description": 5},
            "c2": {"label": "two\nlines", "tags": ["ok", "t" * (cm.MAX_TAG + 1), "", 3]},
            "c3": {"tags": "not-a-list"},
            "c4": {"tags": [f"t{i}" for i in range(cm.MAX_TAGS + 1)]},
            "c5": "junk",
        },
    }
    assert [str(p) for p in cm.validate(metadata)] == [
        f"description: is {cm.MAX_ALIAS_DESCRIPTION + 1:,} characters; the limit is {cm.MAX_ALIAS_DESCRIPTION:,}",
        "run: must be an object",
        f"cluster 'c1', label: is {cm.MAX_LABEL + 1} characters; the limit is {cm.MAX_LABEL}",
        "cluster 'c1', description: must be text",
        "cluster 'c2', label: must be a single line",
        f"cluster 'c2', tags: tag \"{'t' * (cm.MAX_TAG + 1)}\" is {cm.MAX_TAG + 1} characters; the limit is {cm.MAX_TAG}",
        "cluster 'c2', tags: tag 3 must be non-empty text",
        "cluster 'c2', tags: tag 4 must be non-empty text",
        "cluster 'c3', tags: must be a list of short texts",
        f"cluster 'c4', tags: {cm.MAX_TAGS + 1} tags; the limit is {cm.MAX_TAGS}",
        "cluster 'c5', entry: must be an object with label, description, tags",
    ]
    assert [str(p) for p in cm.validate([1])] == ["metadata: must be a JSON object"]
    assert [str(p) for p in cm.validate({"clusters": []})] == ["clusters: must be an object of cluster id -> notes"]


def test_diff_says_what_changed_in_words():
    after = cm.with_cluster_notes(STORED, "cluster_0", label="zeros!", tags=["round", "thin"])
    after = cm.with_cluster_notes(after, "cluster_5", label="new one")
    after = cm.with_alias_description(after, "Digits")
    del after["clusters"]["cluster_1"]
    after["owner"] = "me"
    assert [str(c) for c in cm.diff(STORED, after)] == [
        'alias description changed from "Digits clustered by pixels" to "Digits"',
        'owner changed from "another-tool" to "me"',
        'cluster \'cluster_0\' label changed from "zeros" to "zeros!"',
        "cluster 'cluster_0' tags: added \"thin\"; removed \"closed\"",
        "cluster 'cluster_1' notes removed",
        'cluster \'cluster_5\' label set to "new one"',  # labelling a cluster is not "adding" it
    ]
    assert cm.diff(STORED, copy.deepcopy(STORED)) == []


def test_diff_from_nothing_lists_the_new_clusters():
    assert [str(c) for c in cm.diff({}, {"clusters": {"a": {"label": "A"}}, "description": "d"})] == [
        'cluster \'a\' label set to "A"',
        'alias description set to "d"',
    ]


def test_odd_cluster_ids_and_values_read_unambiguously_in_messages():
    after = cm.with_cluster_notes({}, "line one\nline two", label="a\u202eb")
    assert [str(c) for c in cm.diff({}, after)] == ["cluster 'line one\\nline two' label set to \"a\\u202eb\""]
    assert str(cm.Problem("label", "must be text", "\u200b")) == "cluster '\\u200b', label: must be text"


def test_merge_without_conflicts_keeps_both_sides_edits():
    base = copy.deepcopy(STORED)
    mine = cm.with_cluster_notes(base, "cluster_0", label="zeros (mine)")
    mine = cm.with_alias_description(mine, "my description")
    theirs = cm.with_cluster_notes(base, "cluster_1", description="theirs wrote this")
    theirs = cm.with_cluster_notes(theirs, "cluster_7", label="added by them")
    theirs["clusters"]["cluster_0"]["color"] = "#00f"  # same cluster, different field
    theirs["new_tool_key"] = [1, 2]

    result = cm.merge(base, mine, theirs)
    assert result.conflicts == []
    merged = result.merged
    assert merged["description"] == "my description"
    assert merged["clusters"]["cluster_0"] == {
        "label": "zeros (mine)",
        "description": "round",
        "tags": ["round", "closed"],
        "color": "#00f",
    }
    assert merged["clusters"]["cluster_1"]["description"] == "theirs wrote this"
    assert merged["clusters"]["cluster_7"] == {"label": "added by them"}
    assert merged["new_tool_key"] == [1, 2]
    assert merged["owner"] == "another-tool"


def test_merge_same_change_on_both_sides_is_not_a_conflict():
    mine = cm.with_cluster_notes(STORED, "cluster_1", label="1")
    result = cm.merge(STORED, mine, copy.deepcopy(mine))
    assert result.conflicts == [] and result.merged == mine


def test_merge_keeps_deletions_made_on_one_side():
    theirs = copy.deepcopy(STORED)
    del theirs["clusters"]["cluster_1"]
    del theirs["owner"]
    mine = cm.with_cluster_notes(STORED, "cluster_0", label="z")
    merged = cm.merge(STORED, mine, theirs).merged
    assert "cluster_1" not in merged["clusters"] and "owner" not in merged
    assert merged["clusters"]["cluster_0"]["label"] == "z"


def test_merge_reports_conflicts_and_keeps_the_stored_value_by_default():
    mine = cm.with_cluster_notes(STORED, "cluster_0", label="mine", description="my words")
    theirs = cm.with_cluster_notes(STORED, "cluster_0", label="theirs")
    result = cm.merge(STORED, mine, theirs)
    assert [(c.path, c.base, c.mine, c.theirs) for c in result.conflicts] == [
        (("clusters", "cluster_0", "label"), "zeros", "mine", "theirs")
    ]
    assert str(result.conflicts[0]) == (
        "cluster 'cluster_0' label: you changed it to \"mine\", but it was changed to \"theirs\" "
        'since you loaded it (it was "zeros")'
    )
    assert result.merged["clusters"]["cluster_0"]["label"] == "theirs"
    assert result.merged["clusters"]["cluster_0"]["description"] == "my words"  # no conflict there
    assert cm.merge(STORED, mine, theirs, prefer="mine").merged["clusters"]["cluster_0"]["label"] == "mine"


def test_merge_edit_against_a_deleted_cluster_is_a_conflict():
    mine = cm.with_cluster_notes(STORED, "cluster_1", label="still here")
    theirs = copy.deepcopy(STORED)
    del theirs["clusters"]["cluster_1"]
    result = cm.merge(STORED, mine, theirs)
    assert [c.path for c in result.conflicts] == [("clusters", "cluster_1")]
    assert "cluster_1" not in result.merged["clusters"]
    assert "(not set)" in str(result.conflicts[0])


def test_merge_rejects_an_unknown_preference():
    with pytest.raises(ValueError):
        cm.merge({}, {}, {}, prefer="both")
