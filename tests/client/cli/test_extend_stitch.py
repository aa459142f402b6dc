"""``extend``, ``stitch`` and ``generate --variations`` as a user runs them: real subprocesses against the
loopback stand-in, the history in a temporary data folder."""

from __future__ import annotations

import json
from pathlib import Path

import av

from client.history import JobStore
from tests.client.cli.test_cli import FAKE_TOKEN, cli, picture


def frames_in(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_generate_extend_by_ten_seconds_then_stitch_the_story(tmp_path, standin):
    standin.configure(queue_s=0.05, run_s=0.05)
    env = {"RUNCOMFY_API_TOKEN": FAKE_TOKEN, "RUNCOMFY_BASE_URL": standin.base_url}
    first = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "A quiet harbour", "--json"],
                tmp_path, **env)
    assert first.returncode == 0, first.stderr
    parent = json.loads(first.stdout)["request_id"]
    second = cli(["extend", parent, "--prompt", "The boats drift out", "--frames", "241", "--seed", "5",
                  "--json"], tmp_path, **env)
    assert second.returncode == 0, second.stderr
    made = json.loads(second.stdout)
    assert made["seed"] == 5 and made["facts"]["frames"] == 241
    assert f"continuing {parent} from its last frame (1280x720" in second.stderr
    assert "fixed:" not in second.stderr  # a frame of the video passes the image rules as it is
    with JobStore.open(tmp_path / "data") as store:
        assert store.get(made["request_id"]).parent_id == parent
    joined = cli(["stitch", made["request_id"], "--out", "story.mp4", "--json"], tmp_path)
    assert joined.returncode == 0, joined.stderr
    story = json.loads(joined.stdout)
    assert story["clips"] == [parent, made["request_id"]] and story["method"] == "reencode"
    assert story["frames"] == 121 + 240 == frames_in(tmp_path / "story.mp4")
    assert "1 repeated junction frame dropped" in joined.stderr
    both = cli(["stitch", made["request_id"], parent, "--out", "both.mp4"], tmp_path)  # not a continuation
    assert both.returncode == 0, both.stderr
    assert Path(tmp_path / both.stdout.strip()) == tmp_path / "both.mp4" and "remux" in both.stderr
    assert frames_in(tmp_path / "both.mp4") == 241 + 121


def test_unknown_ids_are_refused_with_exit_2_before_anything_is_sent(tmp_path, standin):
    env = {"RUNCOMFY_API_TOKEN": FAKE_TOKEN, "RUNCOMFY_BASE_URL": standin.base_url}
    extended = cli(["extend", "no-such-job", "--prompt", "x"], tmp_path, **env)
    assert extended.returncode == 2 and "no job no-such-job" in extended.stderr
    joined = cli(["stitch", "no-such-job", "--out", "x.mp4"], tmp_path)
    assert joined.returncode == 2 and "no job no-such-job" in joined.stderr
    assert standin.stats()["submissions"] == 0 and not (tmp_path / "x.mp4").exists()
    no_out = cli(["stitch", "a"], tmp_path)
    assert no_out.returncode == 2 and "--out" in no_out.stderr


def test_generate_variations_prints_the_seeds_first_and_one_video_per_seed(tmp_path, standin):
    standin.configure(queue_s=0.05, run_s=0.05)
    env = {"RUNCOMFY_API_TOKEN": FAKE_TOKEN, "RUNCOMFY_BASE_URL": standin.base_url}
    done = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "Waves", "--variations", "2",
                "--seed", "11", "--json", "--out", "clips/take.mp4"], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["variations"]
    seeds = [item["seed"] for item in result]
    assert seeds[0] == 11 and len(set(seeds)) == 2
    assert done.stderr.splitlines()[0] == f"2 variations, seeds {seeds[0]}, {seeds[1]}"
    assert [item["video"] for item in result] == ["clips/take-1.mp4", "clips/take-2.mp4"]
    assert all((tmp_path / item["video"]).is_file() for item in result)
    assert "[1/2]" in done.stderr and "[2/2]" in done.stderr and standin.stats()["submissions"] == 2
    refused = cli(["generate", "--image", str(picture(tmp_path)), "--prompt", "Waves", "--variations", "9"],
                  tmp_path, **env)
    assert refused.returncode == 2 and "variations 9" in refused.stderr
