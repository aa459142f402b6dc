"""Stories in the history: chains of jobs linked by ``parent_id``, their branches, and the page's list."""

from __future__ import annotations

import sqlite3

from client.history import JobStore, NullStore

MODEL = "bytedance/dreamina-3-0/pro/image-to-video"


def add(store: JobStore, rid: str, at: float, parent: str | None = None, owner: str = "local") -> None:
    store.add_submitted(rid, owner=owner, model=MODEL, prompt=f"prompt of {rid}", seed=len(rid), frames=121,
                        at=at, parent_id=parent)


def ids(records) -> list[str]:
    return [r.request_id for r in records]


def test_a_story_is_its_chain_from_the_first_clip_and_a_branch_starts_a_new_one(tmp_path):
    with JobStore.open(tmp_path) as store:
        add(store, "a", 1)
        add(store, "b", 2, "a")
        add(store, "c", 3, "b")
        add(store, "d", 4, "b")  # b continued a second time: a branch
        add(store, "solo", 5)
        assert ids(store.story_of("c")) == ["a", "b", "c"]
        assert ids(store.story_of("d")) == ["a", "b", "d"]
        assert ids(store.story_of("b")) == ["a", "b"] and ids(store.story_of("a")) == ["a"]
        assert store.story_of("c")[1].parent_id == "a" and store.story_of("c")[1].prompt == "prompt of b"
        assert ids(store.children_of("b")) == ["c", "d"] and store.children_of("c") == []
        assert [ids(s) for s in store.list_stories()] == [["solo"], ["a", "b", "d"], ["a", "b", "c"]]
        assert store.count_stories() == 3
        assert [ids(s) for s in store.list_stories(limit=1, offset=1)] == [["a", "b", "d"]]
        assert store.story_of("nobody") == []


def test_owners_see_only_their_own_clips_of_a_story(tmp_path):
    with JobStore.open(tmp_path) as store:
        add(store, "x1", 1, owner="alice")
        add(store, "x2", 2, "x1", owner="bob")  # hand-made: bob continued alice's clip
        add(store, "x3", 3, "x2", owner="bob")
        assert ids(store.story_of("x3", owner="bob")) == ["x2", "x3"]
        assert store.story_of("x3", owner="alice") == []
        assert ids(store.children_of("x1", owner="bob")) == ["x2"] and store.children_of("x1", "alice") == []
        assert [ids(s) for s in store.list_stories(owner="alice")] == [["x1"]]  # bob's clip does not hide it
        assert [ids(s) for s in store.list_stories(owner="bob")] == [["x2", "x3"]]
        assert store.count_stories(owner="alice") == 1


def test_a_loop_made_by_hand_ends_instead_of_running_forever(tmp_path):
    with JobStore.open(tmp_path) as store:
        add(store, "p", 1)
        add(store, "q", 2, "p")
    db = sqlite3.connect(tmp_path / "jobs.db")
    with db:
        db.execute("UPDATE jobs SET parent_id = 'q' WHERE request_id = 'p'")
    db.close()
    with JobStore.open(tmp_path) as store:
        assert ids(store.story_of("q")) == ["p", "q"]


def test_the_degraded_store_knows_no_story():
    null = NullStore("broken")
    assert null.story_of("a") == [] and null.children_of("a") == [] and null.list_stories() == []
    assert null.count_stories() == 0
