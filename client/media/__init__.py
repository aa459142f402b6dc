"""Pixel and MP4 work, always off the event loop: probe, tags, posters, thumbnails, and the lanes.

    facts = await VIDEOS.run(probe_video, path)        # duration, frames, fps, size: no decoding
    await VIDEOS.run(tag_video, path, prompt=..., seed=..., request_id=..., model=...)
    await VIDEOS.run(extract_poster, path, poster)     # first frame, small JPEG
    thumb = await PICTURES.run(make_thumbnail, data)   # the input's 256 px JPEG for the record
    frame = await VIDEOS.run(last_frame, path)         # a continuation's picture (JPEG, full size)
    done = await STITCHES.run(stitch_clips, clips, out)  # one MP4 of a story (remux or re-encode)

PyAV and Pillow only; nothing of the API, the store or the page. Why single-thread lanes at a lower
priority rather than asyncio's thread pool: see :mod:`.lanes` (and :mod:`.stitch` for its own lane).
"""

from client.media.lanes import BACKGROUND_NICE, PICTURES, VIDEOS, Lane, lower_this_thread
from client.media.lastframe import LastFrame, last_frame
from client.media.poster import POSTER_LONG_SIDE, extract_poster, poster_size
from client.media.probe import VideoFacts, probe_video
from client.media.stitch import STITCHES, Clip, Stitched, remux_blocker, stitch_clips, stitch_tags
from client.media.tags import job_tags, read_job_tags, read_tags, tag_video
from client.media.thumbnail import THUMB_LONG_SIDE, make_thumbnail

__all__ = [
    "BACKGROUND_NICE",
    "PICTURES",
    "POSTER_LONG_SIDE",
    "STITCHES",
    "THUMB_LONG_SIDE",
    "VIDEOS",
    "Clip",
    "Lane",
    "LastFrame",
    "Stitched",
    "VideoFacts",
    "extract_poster",
    "job_tags",
    "last_frame",
    "lower_this_thread",
    "make_thumbnail",
    "poster_size",
    "probe_video",
    "read_job_tags",
    "read_tags",
    "remux_blocker",
    "stitch_clips",
    "stitch_tags",
    "tag_video",
]
