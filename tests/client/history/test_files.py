"""The files beside a job: deleting a job removes its video; the disk budget prunes the oldest copies."""

from __future__ import annotations

from client.history import JobFiles, JobStore, enforce_budget


def add(store: JobStore, rid: str, owner: str = "alice", at: float = 1000.0) -> None:
    store.add_submitted(rid, owner=owner, model="m", prompt=f"prompt {rid}", seed=1, frames=121, at=at)


def test_delete_is_owner_checked_and_removes_events_and_video(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"x" * 10)
    files = JobFiles.under(tmp_path, tmp_path)
    with JobStore.open(tmp_path) as store:
        add(store, "r1", "alice")
        store.add_event("r1", "succeeded", video_path=video)
        job = store.get("r1")
        assert files.delete(store, job, "bob") is False and store.get("r1") is not None and video.exists()
        assert files.delete(store, job, "alice") is True
        assert store.get("r1") is None and store.events("r1") == [] and not video.exists()
        assert files.delete(store, job, None) is False


def test_disk_budget_prunes_the_oldest_copies_and_keeps_every_row(tmp_path):
    with JobStore.open(tmp_path / "data") as store:
        for i in range(4):
            add(store, f"r{i}", at=100.0 + i)
            video = tmp_path / f"r{i}.mp4"
            video.write_bytes(b"v" * 1000)
            store.add_event(f"r{i}", "succeeded", video_path=video)
        assert enforce_budget(store, 2500, keep=["r0"]) == ["r1", "r2"]
        assert (tmp_path / "r0.mp4").exists() and not (tmp_path / "r1.mp4").exists()
        assert [j.request_id for j in store.list_jobs()] == ["r3", "r2", "r1", "r0"]
        pruned = store.get("r1")
        assert pruned.video_pruned and not pruned.has_local_video
        assert "r1" not in {j.request_id for j in store.unfinished()}
        assert store.events("r1")[-1].state == "pruned"
        (tmp_path / "r3.mp4").unlink()  # removed by hand: the history must not offer it any more
        assert enforce_budget(store, None) == ["r3"] and store.get("r3").video_pruned
