"""Input images: the cheap header-only check for the live panel, and preparation for sending.

The model takes one JPEG or PNG, under 4.7 MB, each side more than 320 and at most 4096 px, with
0.33 < width/height < 3, measured as displayed (after EXIF orientation). Files are judged by their
content, never their name.

- :func:`inspect_image` reads the header only (milliseconds, no pixel decoded) and reports every
  rule, what a fix would do, and the first thing no fix can repair.
- :func:`prepare_image` refuses bombs and impossible files from the header, then decodes strictly
  (truncation is an error), fixes what can be fixed without changing the picture, and re-checks
  the result against every rule. A file that already passes is sent byte for byte.

The work is split by what it knows: ``header`` (reading files), ``sniff`` (naming what a file
really is), ``rules`` (the rules and the plan), ``fixes`` (re-encoding); this module joins them.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field

from client.dreamina.errors import InputRefused
from client.dreamina.images.fixes import apply_fixes
from client.dreamina.images.header import (
    ImageFacts,
    ImageSource,
    decode,
    loaded_facts,
    open_image,
    open_source,
    pixel_budget,
    read_source,
)
from client.dreamina.images.rules import MIME, Plan, RuleCheck, plan_for


@dataclass(frozen=True)
class ImageReport:
    """What the header says about an image, rule by rule; cheap enough to run on every upload."""

    format: str | None  # "JPEG", "PNG", "WEBP", ... or None when unreadable
    width: int | None  # after EXIF orientation
    height: int | None
    size_bytes: int
    ratio: float | None  # width/height
    animated: bool
    checks: tuple[RuleCheck, ...]
    fixes: tuple[str, ...]  # what prepare_image(fix=True) will do
    refusal: str | None  # the first reason it cannot be used even with fixes

    @property
    def ok(self) -> bool:
        """True when prepare_image(fix=True) is expected to accept it (truncation shows only then)."""
        return self.refusal is None


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to send: JPEG or PNG bytes that pass every rule."""

    data: bytes = field(repr=False)
    mime: str  # "image/jpeg" | "image/png"
    width: int
    height: int
    fixes: tuple[str, ...]  # what was done, in the past tense; () when sent unchanged

    def __repr__(self) -> str:
        # A repr holding megabytes of bytes would flood every log line and traceback.
        return (
            f"PreparedImage(mime={self.mime!r}, {self.width}x{self.height}, {len(self.data):,} bytes, "
            f"fixes={self.fixes!r})"
        )


def _report(facts: ImageFacts, plan: Plan) -> ImageReport:
    return ImageReport(
        format=facts.format,
        width=facts.width,
        height=facts.height,
        size_bytes=facts.size_bytes,
        ratio=facts.width / facts.height if facts.height else None,
        animated=facts.animated,
        checks=plan.checks,
        fixes=plan.will(facts),
        refusal=plan.refusal.message if plan.refusal else None,
    )


def _unusable(refused: InputRefused, size: int) -> ImageReport:
    name = refused.rule if refused.rule in ("format", "file size", "pixels") else "file"
    return ImageReport(
        format=None,
        width=None,
        height=None,
        size_bytes=size,
        ratio=None,
        animated=False,
        checks=(RuleCheck(name, False, refused.message),),
        fixes=(),
        refusal=refused.message,
    )


def inspect_image(source: ImageSource) -> ImageReport:
    """Check an image from its header alone (no pixel decoded); never raises for a bad file."""
    size = 0
    try:
        with open_source(source) as (stream, size), open_image(stream, size) as (_, facts):
            return _report(facts, plan_for(facts, pixel_budget=pixel_budget()))
    except InputRefused as refused:
        if refused.rule == "file size" and isinstance(refused.value, int):
            size = refused.value
        return _unusable(refused, size)


def _fixing_is_off(need: InputRefused) -> InputRefused:
    return InputRefused(f"{need.message} (automatic fixing is off)", rule=need.rule, value=need.value)


def _stored(target: tuple[int, int] | None, facts: ImageFacts) -> tuple[int, int] | None:
    """A displayed-orientation size in the file's stored orientation (for JPEG draft decoding)."""
    if target is None or not facts.rotated:
        return target
    return target[1], target[0]


def prepare_image(source: ImageSource, *, fix: bool = True) -> PreparedImage:
    """Make an image sendable, or refuse it with the rule and the measured value.

    With ``fix=True`` what can be repaired without changing the picture is repaired and reported
    in ``fixes``; with ``fix=False`` anything needing a repair is refused, naming the rule.
    Raises :class:`InputRefused`.
    """
    data = read_source(source)
    with open_image(io.BytesIO(data), len(data)) as (im, facts):
        plan = plan_for(facts, pixel_budget=pixel_budget())
        # Header-only refusals come before any decoding, so a bomb is never decoded. Only the
        # ratio depends on an orientation that a PNG may reveal after its pixels: that one waits.
        if plan.refusal and (facts.orientation_known or plan.refusal.rule != "ratio"):
            raise plan.refusal
        if plan.needs and not fix and facts.orientation_known:
            raise _fixing_is_off(plan.needs[0])
        decode(im, stored_target=_stored(plan.target, facts))
        facts = loaded_facts(im, facts)
        plan = plan_for(facts, pixel_budget=pixel_budget())
        if plan.refusal:
            raise plan.refusal
        if plan.needs and not fix:
            raise _fixing_is_off(plan.needs[0])
        if not plan.needs:
            result = PreparedImage(data, MIME[facts.format], facts.width, facts.height, ())
        else:
            fixed = apply_fixes(im, facts, plan)
            result = PreparedImage(fixed.data, MIME[fixed.format], fixed.width, fixed.height, fixed.fixes)
    _recheck(result)
    return result


def _recheck(image: PreparedImage) -> None:
    """Re-read what is about to be sent and hold it to every rule: a bug here must not reach the API."""
    try:
        with open_image(io.BytesIO(image.data), len(image.data)) as (_, facts):
            plan = plan_for(facts, pixel_budget=pixel_budget())
    except InputRefused as refused:
        problems = [refused.message]
    else:
        problems = [p.message for p in (plan.refusal, *plan.needs) if p is not None]
        if MIME.get(facts.format) != image.mime:
            problems.append(f"content is {facts.format}, labelled {image.mime}")
        if (facts.width, facts.height) != (image.width, image.height):
            problems.append(f"content is {facts.width}x{facts.height}, labelled {image.width}x{image.height}")
    if problems:
        message = "internal check failed on the prepared image: " + "; ".join(problems)
        raise InputRefused(message, rule="recheck", value=problems)


def to_data_uri(image: PreparedImage) -> str:
    """The image as a ``data:image/...;base64,...`` URI, for ``image_urls`` without a public host."""
    return f"data:{image.mime};base64,{base64.b64encode(image.data).decode('ascii')}"
