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

from client.dreamina.errors import InputRefused, refusal
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
from client.dreamina.images.rules import MIME, Plan, RuleCheck, plan_for, ratio_ok
from client.dreamina.wording import Wording


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
    fixes: tuple[str, ...]  # what prepare_image(fix=True) will do, in English
    refusal: str | None  # the reason it cannot be used even with fixes, in English
    fix_items: tuple[Wording, ...] = ()  # the fixes, to say in any language
    refusal_item: Wording | None = None  # the refusal, to say in any language
    refusal_rule: str | None = None  # the rule that refuses ("ratio", "width", "format", ...)

    @property
    def ok(self) -> bool:
        """True when prepare_image(fix=True) is expected to accept it (truncation shows only then)."""
        return self.refusal is None

    def fixes_in(self, lang: str | None) -> tuple[str, ...]:
        """What will be fixed, in ``lang``."""
        return tuple(item.text(lang) for item in self.fix_items)

    def refusal_in(self, lang: str | None) -> str | None:
        """Why it cannot be used, in ``lang`` (None when it can)."""
        return self.refusal_item.text(lang) if self.refusal_item is not None else None


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to send: JPEG or PNG bytes that pass every rule."""

    data: bytes = field(repr=False)
    mime: str  # "image/jpeg" | "image/png"
    width: int
    height: int
    fixes: tuple[str, ...]  # what was done, in the past tense, in English; () when sent unchanged
    fix_items: tuple[Wording, ...] = ()  # the same, to say in any language

    def fixes_in(self, lang: str | None) -> tuple[str, ...]:
        """What was done, in ``lang``."""
        return tuple(item.text(lang) for item in self.fix_items)

    def __repr__(self) -> str:
        # A repr holding megabytes of bytes would flood every log line and traceback.
        return (
            f"PreparedImage(mime={self.mime!r}, {self.width}x{self.height}, {len(self.data):,} bytes, "
            f"fixes={self.fixes!r})"
        )


def _report(facts: ImageFacts, plan: Plan) -> ImageReport:
    will = plan.will(facts)
    return ImageReport(
        format=facts.format,
        width=facts.width,
        height=facts.height,
        size_bytes=facts.size_bytes,
        ratio=facts.width / facts.height if facts.height else None,
        animated=facts.animated,
        checks=plan.checks,
        fixes=tuple(item.text() for item in will),
        refusal=plan.refusal.message if plan.refusal else None,
        fix_items=will,
        refusal_item=plan.refusal.wording if plan.refusal else None,
        refusal_rule=plan.refusal.rule if plan.refusal else None,
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
        checks=(RuleCheck(name, False, refused.wording),),
        fixes=(),
        refusal=refused.message,
        refusal_item=refused.wording,
        refusal_rule=refused.rule,
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
    return refusal("fixing_off", rule=need.rule, value=need.value, refusal=need.wording)


def _before_decoding(plan: Plan, facts: ImageFacts) -> InputRefused | None:
    """The refusal that holds whatever orientation decoding reveals, so a bomb is never decoded.

    A PNG may state its orientation after its pixels; a broken ratio is certain before decoding only
    when the picture turned a quarter would break it too (8000x100 yes, 330x993 no).
    """
    for refused in plan.refusals:
        if facts.orientation_known or refused.rule != "ratio" or not ratio_ok(facts.height, facts.width):
            return refused
    return None


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
        # Header-only refusals come before any decoding, so a bomb is never decoded.
        early = _before_decoding(plan, facts)
        if early is not None:
            raise early
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
            english = tuple(item.text() for item in fixed.fixes)
            result = PreparedImage(
                fixed.data, MIME[fixed.format], fixed.width, fixed.height, english, fixed.fixes
            )
    _recheck(result)
    return result


def _recheck(image: PreparedImage) -> None:
    """Re-read what is about to be sent and hold it to every rule: a bug here must not reach the API."""
    try:
        with open_image(io.BytesIO(image.data), len(image.data)) as (_, facts):
            plan = plan_for(facts, pixel_budget=pixel_budget())
    except InputRefused as refused:
        problems = [refused.wording]
    else:
        problems = [p.wording for p in (*plan.refusals, *plan.needs)]
        if MIME.get(facts.format) != image.mime:
            problems.append(Wording.of("recheck_format", format=facts.format, mime=image.mime))
        if (facts.width, facts.height) != (image.width, image.height):
            problems.append(Wording.of("recheck_size", width=facts.width, height=facts.height,
                                       label_width=image.width, label_height=image.height))
    if problems:
        raise refusal("recheck_failed", rule="recheck", value=[p.text() for p in problems],
                      problems=tuple(problems))


def to_data_uri(image: PreparedImage) -> str:
    """The image as a ``data:image/...;base64,...`` URI, for ``image_urls`` without a public host."""
    return f"data:{image.mime};base64,{base64.b64encode(image.data).decode('ascii')}"
