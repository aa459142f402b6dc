"""Checking a job's inputs and building exactly what is submitted; no network I/O here.

Every limit is read from :data:`client.dreamina.schema.SCHEMA`. Each check either returns the value to send
or raises :class:`InputRefused` naming the rule and the value, so nothing is sent (and nothing is
paid for) until every input is known to be acceptable. A random seed is picked here, not by the API,
so the seed of every video is known and the video can be made again.
"""

from __future__ import annotations

import math
import numbers
import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from client.dreamina.errors import refusal
from client.dreamina.images.prepare import PreparedImage, prepare_image, to_data_uri
from client.dreamina.schema import SCHEMA
from client.dreamina.wording import Wording, or_text

# -1 asks for a random seed; the seeds that can really be sent start just above it.
_SEED_LOW = max(SCHEMA.seed_min, SCHEMA.seed_random + 1)
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")  # ASCII digits only: int() would also take "١٢" or "1_0"
_WHOLE_DECIMAL = re.compile(r"([+-]?[0-9]{1,30})\.0*")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\s]")
_USERINFO = re.compile(r"//[^/?#]*@")


def check_prompt(text: str | None) -> str:
    """The prompt to send: trimmed, not empty, at most ``SCHEMA.prompt_max_chars`` code points."""
    if text is None:
        raise refusal("prompt_missing", rule="prompt required")
    if not isinstance(text, str):
        raise refusal("prompt_type", rule="prompt type", value=text, type=type(text).__name__)
    trimmed = text.strip()
    if not trimmed:
        raise refusal("prompt_empty", rule="prompt required", value=text)
    # JSON Schema's maxLength counts code points, as len() does (an emoji is 1, not 2 UTF-16 units).
    limit = SCHEMA.prompt_max_chars
    if len(trimmed) > limit:
        raise refusal("prompt_long", rule="prompt max length", value=len(trimmed), length=len(trimmed),
                      limit=limit)
    try:
        trimmed.encode("utf-8")
    except UnicodeEncodeError as e:
        # A lone surrogate (from a broken paste) cannot be sent as JSON text: say so before submitting.
        raise refusal("prompt_encoding", rule="prompt encoding", value=e.start, position=e.start + 1) from e
    return trimmed


def _whole_number(value: object, what: str, rule: str) -> int | None:
    """An int from an int, a whole float (Gradio's Number gives 12.0) or a numeric string; None if blank."""
    if value is None:
        return None
    field = Wording.of(f"field_{what}")
    if isinstance(value, bool):  # bool is an int subclass: True must not become seed 1
        raise refusal("number_bool", rule=rule, value=value, field=field, given=value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise refusal("number_whole", rule=rule, value=value, field=field, given=value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None  # an empty text box means "not given"
        if _INTEGER.fullmatch(text):
            return int(text)
        decimal = _WHOLE_DECIMAL.fullmatch(text)
        if decimal:
            return int(decimal.group(1))
        raise refusal("number_text", rule=rule, value=value, field=field, given=value)
    raise refusal("number_type", rule=rule, value=value, field=field, type=type(value).__name__)


def resolve_seed(seed: int | str | None, rng: random.Random | None = None) -> int:
    """The seed to send: -1 or None picks one here (``rng`` for tests, else ``secrets``), so it is known."""
    number = _whole_number(seed, "seed", "seed type")
    if number is None or number == SCHEMA.seed_random:
        if rng is not None:
            return rng.randint(_SEED_LOW, SCHEMA.seed_max)
        return _SEED_LOW + secrets.randbelow(SCHEMA.seed_max - _SEED_LOW + 1)
    if not _SEED_LOW <= number <= SCHEMA.seed_max:
        raise refusal("seed_range", rule="seed range", value=number, seed=number, random=SCHEMA.seed_random,
                      low=_SEED_LOW, high=SCHEMA.seed_max)
    return number


def _frame_choices() -> tuple[Wording, ...]:
    choices = SCHEMA.frames_choices
    return tuple(Wording.of("frames_choice", frames=n, seconds=SCHEMA.seconds_for(n)) for n in choices)


def frames_text(lang: str | None = "en") -> str:
    """The accepted frame counts in words: '121 (≈5 s) or 241 (≈10 s)' ('... ou ...' in French)."""
    return or_text(_frame_choices(), lang)


def check_frames(frames: int | str | None) -> int:
    """The frame count to send: one of ``SCHEMA.frames_choices``; None (or blank) is the default."""
    number = _whole_number(frames, "frames", "frames")
    if number is None:
        return SCHEMA.default_frames
    if number not in SCHEMA.frames_choices:
        raise refusal("frames_refused", rule="frames", value=number, frames=number, choices=_frame_choices())
    return number


def check_image_url(url: str) -> str:
    """An https URL with a host, no credentials and no whitespace, returned as given.

    Surrounding whitespace (a stray newline from a paste) is trimmed; nothing else is changed, and
    the URL is not fetched here.
    """
    if not isinstance(url, str) or not url.strip():
        raise refusal("url_empty", rule="image url", value=url)
    url = url.strip()
    shown = _USERINFO.sub("//***@", url)  # what errors may carry: a password never rides along
    bad = _CONTROL.search(url)
    if bad:
        raise refusal("url_space", rule="image url", value=shown, position=bad.start() + 1)
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        if not parts.scheme:
            raise refusal("url_no_scheme", rule="image url scheme", value=shown)
        raise refusal("url_scheme", rule="image url scheme", value=shown, scheme=parts.scheme)
    try:
        _ = parts.port  # reading it validates it
    except ValueError as e:
        raise refusal("url_port", rule="image url", value=shown, detail=str(e)) from e
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        # Credentials in a URL end up in RunComfy's logs and ours: never send them.
        raise refusal("url_credentials", rule="image url credentials")
    if not parts.hostname:
        raise refusal("url_no_host", rule="image url", value=shown)
    return url


def _short(ref: str, keep: int = 48) -> str:
    return ref if len(ref) <= keep + 16 else f"{ref[:keep]}…({len(ref):,} chars)"


@dataclass(frozen=True, repr=False)
class JobRequest:
    """Exactly what is submitted; build it with :func:`build_job`, which checks every field."""

    prompt: str
    image_ref: str  # https URL or data URI
    seed: int  # never -1: already resolved
    frames: int

    def payload(self) -> dict[str, object]:
        """The JSON body of the submit."""
        return {
            "prompt": self.prompt,
            "image_urls": [self.image_ref],
            "seed": self.seed,
            "frames": self.frames,
        }

    def __repr__(self) -> str:
        # A data URI is megabytes: a repr with it would flood logs and tracebacks.
        return (
            f"JobRequest(prompt={_short(self.prompt, 60)!r}, image_ref={_short(self.image_ref)!r}, "
            f"seed={self.seed}, frames={self.frames})"
        )


@dataclass(frozen=True)
class PreparedJob:
    """A checked request, with what was done to the image to make it acceptable."""

    request: JobRequest
    fixes: tuple[str, ...]  # from image preparation, in English
    image: PreparedImage | None  # None when the image is a URL

    @property
    def fix_items(self) -> tuple[Wording, ...]:
        """The fixes, to say in any language (the status note after Generate)."""
        return self.image.fix_items if self.image is not None else ()

    def fixes_in(self, lang: str | None) -> tuple[str, ...]:
        """What was done to the image, in ``lang``."""
        return tuple(item.text(lang) for item in self.fix_items)


def _given(value: object) -> bool:
    # An empty text box or an unset file component arrives as "" or None: both mean "not given".
    return value is not None and not (isinstance(value, str) and not value.strip())


def build_job(
    prompt: str | None,
    *,
    image: Path | str | bytes | None = None,
    image_url: str | None = None,
    seed: int | str | None = -1,
    frames: int | str | None = None,
    fix: bool = True,
    rng: random.Random | None = None,
    image_host: Callable[[PreparedImage], str] | None = None,
) -> PreparedJob:
    """Check every input and build the request; raises :class:`InputRefused` before anything is sent.

    Exactly one of ``image`` (a file path or bytes, prepared by :func:`prepare_image`) and
    ``image_url`` (an https URL, passed through) is required. A prepared file is sent as a data URI
    unless ``image_host`` publishes it and returns its https URL.
    """
    if _given(image) == _given(image_url):
        raise refusal("image_source", rule="image")
    text = check_prompt(prompt)
    frame_count = check_frames(frames)
    chosen_seed = resolve_seed(seed, rng)  # cheap checks first: a bad seed should not wait for an image
    prepared: PreparedImage | None = None
    if image_url is not None and _given(image_url):
        ref = check_image_url(image_url)
    else:
        prepared = prepare_image(image, fix=fix)  # type: ignore[arg-type]
        if image_host is None:
            ref = to_data_uri(prepared)
        else:
            # The API fetches the URL itself: a host that hands out http:// or localhost fails there, later.
            ref = check_image_url(image_host(prepared))
    request = JobRequest(prompt=text, image_ref=ref, seed=chosen_seed, frames=frame_count)
    return PreparedJob(request=request, fixes=prepared.fixes if prepared else (), image=prepared)
