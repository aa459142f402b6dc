"""Prompt, seed, frames and URL checks, and build_job: what is submitted, exactly."""

from __future__ import annotations

import base64
import io
import json
import math
import random
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from client.dreamina import (
    SCHEMA,
    InputRefused,
    JobRequest,
    PreparedImage,
    build_job,
    check_frames,
    check_image_url,
    check_prompt,
    resolve_seed,
)
from tests import image_corpus as corpus

MAX_CHARS = SCHEMA.prompt_max_chars
SEED_MAX = SCHEMA.seed_max
WHITESPACE = " \t\n\r\x0b\x0c\u00a0\u1680\u2003\u2028\u2029\u202f\u3000"


def refusal(call, *args, **kwargs) -> InputRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(InputRefused) as caught:
        call(*args, **kwargs)
    return caught.value


# --- prompt -----------------------------------------------------------------------------------

@given(st.text(max_size=MAX_CHARS + 40))
def test_prompt_is_trimmed_or_refused_for_any_text(text: str) -> None:
    trimmed = text.strip()
    if not trimmed:
        assert refusal(check_prompt, text).rule == "prompt required"
    elif len(trimmed) > MAX_CHARS:
        assert refusal(check_prompt, text).rule == "prompt max length"
    else:
        assert check_prompt(text) == trimmed


@settings(max_examples=25)
@given(
    st.text(st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
            min_size=MAX_CHARS, max_size=MAX_CHARS),
    st.text(st.sampled_from(WHITESPACE), max_size=5),
)
def test_prompt_counts_code_points_not_utf16_units(astral: str, padding: str) -> None:
    assert len(astral.encode("utf-16-le")) == 4 * MAX_CHARS  # 1600 UTF-16 units, still 800 characters
    assert check_prompt(padding + astral + padding) == astral
    error = refusal(check_prompt, astral + "x")
    assert (error.rule, error.value) == ("prompt max length", MAX_CHARS + 1)
    assert str(error) == f"prompt is {MAX_CHARS + 1} characters: must be at most {MAX_CHARS}"


@given(st.text(st.sampled_from(WHITESPACE)))
def test_whitespace_only_prompt_is_refused(text: str) -> None:
    assert refusal(check_prompt, text).rule == "prompt required"


def test_prompt_edges() -> None:
    assert check_prompt("a" * MAX_CHARS) == "a" * MAX_CHARS
    assert check_prompt("  a car drives by \n") == "a car drives by"
    assert refusal(check_prompt, None).rule == "prompt required"
    assert refusal(check_prompt, 42).rule == "prompt type"
    assert refusal(check_prompt, "é" * (MAX_CHARS + 1)).value == MAX_CHARS + 1
    broken = refusal(check_prompt, "a wave \ud800 rolls")
    assert broken.rule == "prompt encoding" and "position 8" in str(broken)


# --- seed -------------------------------------------------------------------------------------

@given(st.integers(0, SEED_MAX))
def test_every_seed_in_range_is_kept(seed: int) -> None:
    assert resolve_seed(seed) == seed
    assert resolve_seed(str(seed)) == seed
    assert resolve_seed(float(seed)) == seed


@given(st.one_of(st.integers(max_value=-2), st.integers(min_value=SEED_MAX + 1)))
def test_seeds_out_of_range_are_refused(seed: int) -> None:
    error = refusal(resolve_seed, seed)
    assert (error.rule, error.value) == ("seed range", seed)
    assert str(error) == f"seed {seed}: must be -1 (random) or 0 to {SEED_MAX}"


@given(st.one_of(st.none(), st.just(-1), st.just("-1"), st.just(""), st.just("  ")), st.integers(0, 2**32))
def test_random_seed_is_picked_here_and_reproducible(seed: object, rng_seed: int) -> None:
    picked = resolve_seed(seed, random.Random(rng_seed))  # type: ignore[arg-type]
    assert 0 <= picked <= SEED_MAX
    assert picked == resolve_seed(seed, random.Random(rng_seed))  # type: ignore[arg-type]


def test_random_seed_without_rng_is_in_range() -> None:
    picks = {resolve_seed(-1) for _ in range(20)}
    assert all(0 <= p <= SEED_MAX for p in picks) and len(picks) > 1


@given(st.one_of(
    st.booleans(),
    st.floats().filter(lambda f: not math.isfinite(f) or not f.is_integer()),
    st.sampled_from(["1.5", "abc", "1e3", "1_000", "١٢", "0x10", "12 34", "--1", "+"]),
    st.lists(st.integers(), max_size=2),
))
def test_seeds_that_are_not_whole_numbers_are_refused(seed: object) -> None:
    assert refusal(resolve_seed, seed).rule == "seed type"


@given(st.one_of(st.integers(), st.booleans(), st.none(), st.text(max_size=12), st.floats()))
def test_seed_is_always_sendable_or_refused(seed: object) -> None:
    try:
        picked = resolve_seed(seed, random.Random(0))  # type: ignore[arg-type]
    except InputRefused as error:
        assert error.rule in ("seed type", "seed range")
    else:
        assert type(picked) is int and 0 <= picked <= SEED_MAX


def test_seed_strings_from_the_ui() -> None:
    assert resolve_seed(" 42 ") == 42
    assert resolve_seed("+7") == 7
    assert resolve_seed("12.0") == 12
    assert resolve_seed(str(SEED_MAX)) == SEED_MAX
    assert refusal(resolve_seed, str(SEED_MAX + 1)).rule == "seed range"
    assert refusal(resolve_seed, "9" * 5000).rule == "seed type"  # never reaches int() on 5000 digits


# --- frames -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("given_value", "expected"), [
    (None, 121), ("", 121), (121, 121), (241, 241), ("241", 241), (" 121 ", 121), (241.0, 241),
])
def test_frames_accepted(given_value: object, expected: int) -> None:
    assert check_frames(given_value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [120, 122, 240, 242, 0, -121, 1, "abc", 121.5, True, False])
def test_frames_refused(bad: object) -> None:
    error = refusal(check_frames, bad)
    assert error.rule == "frames"
    if isinstance(bad, int) and not isinstance(bad, bool):
        assert str(error) == f"frames {bad}: must be 121 (≈5 s) or 241 (≈10 s)"


# --- image URL --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://playgrounds-storage-public.runcomfy.net/tools/7013/media-files/usecase2-2-input.jpeg",
    "https://example.com/a%20b.png?sig=abc&exp=1#frag",
    "HTTPS://Example.com:8443/x.jpg",
    "https://[2001:db8::1]/x.png",
])
def test_https_urls_pass_through_unchanged(url: str) -> None:
    assert check_image_url(url) == url
    assert check_image_url(f"  {url}\n") == url  # a stray newline from a paste is trimmed


@pytest.mark.parametrize(("url", "rule"), [
    ("http://example.com/x.jpg", "image url scheme"),
    ("ftp://example.com/x.jpg", "image url scheme"),
    ("javascript:alert(1)", "image url scheme"),
    ("data:image/png;base64,iVBORw0KGgo=", "image url scheme"),
    ("file:///etc/passwd", "image url scheme"),
    ("//example.com/x.jpg", "image url scheme"),
    ("example.com/x.jpg", "image url scheme"),
    ("https:///x.jpg", "image url"),
    ("https://:443/x.jpg", "image url"),
    ("https://example.com:99999/x.jpg", "image url"),
    ("https://user:pass@example.com/x.jpg", "image url credentials"),
    ("https://token@example.com/x.jpg", "image url credentials"),
    ("http://user:secret@example.com/x.jpg", "image url scheme"),
    ("https://user:secret@example.com/a b.jpg", "image url"),
    ("https://example.com/a b.jpg", "image url"),
    ("https://example.com/a\tb.jpg", "image url"),
    ("https://example.com/a\u00a0b.jpg", "image url"),
    ("https://exa\x00mple.com/x.jpg", "image url"),
    ("", "image url"),
    ("   ", "image url"),
])
def test_bad_urls_are_refused(url: str, rule: str) -> None:
    error = refusal(check_image_url, url)
    assert error.rule == rule
    # A password is never echoed back, nor kept on the error, whichever rule fires first.
    assert "secret" not in f"{error} {error.value}"


# --- build_job --------------------------------------------------------------------------------

JPEG = corpus.solid(800, 600, "JPEG")


def test_file_is_sent_byte_for_byte_as_a_data_uri() -> None:
    job = build_job("  a slow pan  ", image=JPEG, seed=7, frames="241")
    payload = job.request.payload()
    assert set(payload) == {"prompt", "image_urls", "seed", "frames"}
    assert (payload["prompt"], payload["seed"], payload["frames"]) == ("a slow pan", 7, 241)
    head, data = payload["image_urls"][0].split(",", 1)  # type: ignore[index]
    assert head == "data:image/jpeg;base64"
    assert base64.b64decode(data) == JPEG
    assert Image.open(io.BytesIO(base64.b64decode(data))).size == (800, 600)
    assert job.fixes == () and job.image is not None and job.image.data == JPEG
    json.dumps(payload)  # what is submitted is plain JSON


def test_fixes_and_path_sources_reach_the_job(tmp_path: Path) -> None:
    path = tmp_path / "sideways.png"
    path.write_bytes(corpus.encode(corpus.quadrants(600, 400), "PNG", exif=corpus.exif_bytes(orientation=6)))
    job = build_job("a prompt", image=path, rng=random.Random(1))
    assert job.fixes == ("applied EXIF rotation (orientation 6)", "removed metadata (EXIF)")
    assert job.image is not None and (job.image.width, job.image.height) == (400, 600)
    assert job.request.payload()["image_urls"][0].startswith("data:image/png;base64,")  # type: ignore[index]
    assert job.request.seed == random.Random(1).randint(0, SEED_MAX)
    assert job.request.frames == SCHEMA.default_frames


def test_image_host_publishes_the_prepared_file() -> None:
    seen: list[PreparedImage] = []

    def host(image: PreparedImage) -> str:
        seen.append(image)
        return "https://playground.example.org/files/abc.jpg"

    job = build_job("a prompt", image=JPEG, image_host=host)
    assert len(seen) == 1 and seen[0].data == JPEG
    assert job.request.image_ref == "https://playground.example.org/files/abc.jpg"
    assert job.image is seen[0]
    assert refusal(build_job, "a prompt", image=JPEG, image_host=lambda _: "http://127.0.0.1/x.jpg").rule == (
        "image url scheme"
    )


def test_url_jobs_carry_no_image() -> None:
    url = "https://example.com/x.jpg"
    job = build_job("a prompt", image_url=url, seed="99", rng=random.Random(0))
    assert job.request.payload() == {"prompt": "a prompt", "image_urls": [url], "seed": 99, "frames": 121}
    assert job.image is None and job.fixes == ()
    for bad in ("http://example.com/x.jpg", "ftp://example.com/x", "javascript:alert(1)", "https://u:p@example.com/x"):
        assert refusal(build_job, "a prompt", image_url=bad).rule.startswith("image url")


@pytest.mark.parametrize(("image", "url"), [(None, None), (JPEG, "https://example.com/x.jpg"), ("", "  ")])
def test_exactly_one_image_source(image: object, url: str | None) -> None:
    error = refusal(build_job, "a prompt", image=image, image_url=url)
    assert error.rule == "image" and "give an image file or an https URL" in str(error)


def test_cheap_checks_come_before_the_image() -> None:
    bomb = corpus.png_bomb(50_000, 50_000)
    assert refusal(build_job, "   ", image=bomb).rule == "prompt required"
    assert refusal(build_job, "ok", image=bomb, frames=120).rule == "frames"
    assert refusal(build_job, "ok", image=bomb, seed=True).rule == "seed type"
    assert refusal(build_job, "ok", image=bomb).rule == "pixels"


def test_build_job_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("build_job opened a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    build_job("a prompt", image=JPEG)
    build_job("a prompt", image_url="https://example.com/x.jpg")


def test_request_repr_does_not_dump_the_image() -> None:
    job = build_job("a prompt", image=corpus.encode(corpus.noise(1200, 1000), "PNG"), seed=3)
    assert len(job.request.image_ref) > 3_000_000
    text = repr(job.request)
    assert len(text) < 300 and "chars)" in text and "seed=3" in text
    short = JobRequest(prompt="p", image_ref="https://example.com/x.jpg", seed=1, frames=121)
    assert "https://example.com/x.jpg" in repr(short)
