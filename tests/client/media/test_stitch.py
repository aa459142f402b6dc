"""Stitching clips into one MP4: junction frames dropped, remux where packets can be copied, the metadata.

The clips are made here with PyAV, each frame a flat colour naming its clip and index, so a test can
say which frames made it into the stitched file. A continuation's first frame is painted MARKER: it
must never appear.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest

from client.media import Clip, read_job_tags, read_tags, remux_blocker, stitch_clips
from tests.client.media.clips import MARKER, colour, decoded, near, story_clip


def packets(path: Path) -> list[tuple[int, int, bytes]]:
    with av.open(str(path)) as container:
        return [(p.pts, p.dts, bytes(p)) for p in container.demux(video=0) if p.dts is not None]


def test_a_story_drops_each_junction_frame_and_is_reencoded(tmp_path):
    paths = [story_clip(tmp_path / f"c{i}.mp4", i, 121, marker_first=i > 0) for i in range(3)]
    clips = [Clip(p, f"rid-{i}", f"prompt {i}", 100 + i, "model-x", continues=i > 0)
             for i, p in enumerate(paths)]
    written: list[int] = []
    done = stitch_clips(clips, tmp_path / "out" / "story.mp4", progress=written.append)
    assert done.method == "reencode" and "keyframe" in (done.reason or "")
    assert written == list(range(24, 361, 24))  # about once per second of video
    assert (done.frames, done.dropped, done.clips) == (121 + 120 + 120, 2, 3)
    assert done.duration_s == pytest.approx(361 / 24, abs=0.05)
    frames = decoded(done.path)
    assert len(frames) == 361
    assert not any(near(f, MARKER, tolerance=40) for f in frames)
    assert near(frames[120], colour(0, 120)) and near(frames[121], colour(1, 1))  # the junction, once
    assert near(frames[241], colour(2, 1))
    with av.open(str(done.path)) as container:
        pts = [f.pts for f in container.decode(video=0)]
    assert pts == sorted(pts) and len(set(pts)) == 361
    assert not list(done.path.parent.glob(".*"))  # the working file was renamed into place
    data = done.path.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # faststart: a browser plays it while it loads


def test_the_metadata_holds_every_prompt_seed_and_request_id(tmp_path):
    paths = [story_clip(tmp_path / f"c{i}.mp4", i, 8, marker_first=i > 0) for i in range(2)]
    clips = [Clip(paths[0], "first-id", "Waves é ✓", 42, "m"),
             Clip(paths[1], "second-id", "Gulls", None, "m", continues=True)]
    done = stitch_clips(clips, tmp_path / "s.mp4")
    tags = read_tags(done.path)
    assert "Waves é ✓" in tags["title"] and "second-id" in tags["description"]
    story = read_job_tags(done.path)["story"]
    assert story == [{"request_id": "first-id", "prompt": "Waves é ✓", "seed": 42, "model": "m"},
                     {"request_id": "second-id", "prompt": "Gulls", "seed": None, "model": "m"}]
    assert json.loads(tags["comment"])["method"] == done.method == "reencode"


def test_clips_that_do_not_continue_each_other_are_remuxed_packet_for_packet(tmp_path):
    paths = [story_clip(tmp_path / f"c{i}.mp4", i, 30) for i in range(3)]
    assert remux_blocker([Clip(p) for p in paths]) is None
    done = stitch_clips([Clip(p, f"r{i}") for i, p in enumerate(paths)], tmp_path / "joined.mp4")
    assert (done.method, done.reason, done.frames, done.dropped) == ("remux", None, 90, 0)
    assert done.path.read_bytes().find(b"moov") < done.path.read_bytes().find(b"mdat")
    copied = [data for _, _, data in packets(done.path)]
    assert copied == [data for p in paths for _, _, data in packets(p)]  # the same bytes, in order
    dts = [d for _, d, _ in packets(done.path)]
    assert dts == sorted(dts) and len(set(dts)) == 90
    frames = decoded(done.path)
    assert len(frames) == 90 and near(frames[29], colour(0, 29)) and near(frames[30], colour(1, 0))


def test_intra_only_clips_drop_their_junction_frames_in_a_remux(tmp_path):
    # Every frame a keyframe: a first frame can go without touching any other, so no re-encode.
    paths = [story_clip(tmp_path / f"c{i}.mp4", i, 20, marker_first=i > 0, gop=1) for i in range(2)]
    done = stitch_clips([Clip(paths[0]), Clip(paths[1], continues=True)], tmp_path / "intra.mp4")
    assert (done.method, done.frames, done.dropped) == ("remux", 39, 1)
    frames = decoded(done.path)
    assert len(frames) == 39 and not any(near(f, MARKER, tolerance=40) for f in frames)


def test_a_5_s_and_a_10_s_clip_stitch_to_121_plus_240_frames(tmp_path):
    short = story_clip(tmp_path / "five.mp4", 0, 121, size=(128, 80))
    long = story_clip(tmp_path / "ten.mp4", 1, 241, size=(128, 80), marker_first=True)
    done = stitch_clips([Clip(short), Clip(long, continues=True)], tmp_path / "both.mp4")
    assert done.frames == 361 and len(decoded(done.path)) == 361
    assert done.duration_s == pytest.approx(361 / 24, abs=0.05)
    plain = stitch_clips([Clip(short), Clip(long)], tmp_path / "plain.mp4")  # not a continuation: all kept
    assert (plain.method, plain.frames) == ("remux", 362)


def test_clips_of_different_sizes_are_reencoded_at_the_first_clips_size(tmp_path):
    first = story_clip(tmp_path / "a.mp4", 0, 10, size=(160, 96))
    second = story_clip(tmp_path / "b.mp4", 1, 10, size=(320, 192))
    done = stitch_clips([Clip(first, "a"), Clip(second, "b")], tmp_path / "mixed.mp4")
    assert done.method == "reencode" and "b differs from the first clip in its" in (done.reason or "")
    frames = decoded(done.path)
    assert len(frames) == 20 and frames[-1].shape == (96, 160, 3) and near(frames[-1], colour(1, 9))


def test_nothing_or_a_broken_clip_is_refused_and_leaves_no_file(tmp_path):
    with pytest.raises(ValueError, match="nothing to stitch"):
        stitch_clips([], tmp_path / "none.mp4")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    good = story_clip(tmp_path / "good.mp4", 0, 5)
    with pytest.raises(ValueError, match="could not stitch"):
        stitch_clips([Clip(good), Clip(broken)], tmp_path / "out.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.mp4", "good.mp4"]
