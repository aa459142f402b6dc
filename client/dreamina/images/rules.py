"""The model's image rules, applied to an image's header facts: each check's sentence, and the plan.

Every bound comes from ``SCHEMA.image_rules``. A plan says which rules the file breaks as it is,
which of those a fix repairs without changing the picture (rotate upright, downscale, convert,
re-encode), and the ones nothing can repair (ratio, too small, animated, a bomb), the ratio named
first. Every sentence is a :class:`Wording` of the per-language tables, so any page can say it.
Ratios are compared as exact fractions against the decimal bounds as written in the schema, so
963x321 is exactly 3 and 33x100 exactly 0.33, with no float rounding either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from client.dreamina.errors import InputRefused, refusal
from client.dreamina.images.header import RULES, ImageFacts, bomb_refusal
from client.dreamina.images.words import Words, label_of, metadata_words, mode_word, what
from client.dreamina.wording import Params, Wording

ACCEPTED = frozenset(RULES.formats)
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}
MIN_SIDE = RULES.min_side_px_exclusive
MAX_SIDE = RULES.max_side_px
SIZE_LIMIT = RULES.max_file_bytes_exclusive
RATIO_LOW = Fraction(str(RULES.min_ratio_exclusive))  # str() so 0.33 means 33/100, not the float
RATIO_HIGH = Fraction(str(RULES.max_ratio_exclusive))
LIMIT = Wording.of("limit", limit=SIZE_LIMIT)
"""The size limit in words: '4.7 MB (4,700,000 bytes)'."""
_SENT_MODES = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L")}


@dataclass(frozen=True)
class RuleCheck:
    """One line of the live check panel: the rule, whether the file meets it, and its sentence.

    ``fixable``: the file breaks the rule as it is, but a fix repairs it before sending (the panel
    says "will be fixed", not ✗). A report with a refusal fixes nothing, fixable rules included.
    """

    name: str
    ok: bool
    wording: Wording
    fixable: bool = False

    @property
    def key(self) -> str:
        """The sentence's key in the wording tables."""
        return self.wording.key

    @property
    def params(self) -> Params:
        """The sentence's raw parameters."""
        return self.wording.params

    @property
    def text(self) -> str:
        """The sentence in English (what the CLI prints)."""
        return self.wording.text("en")

    def text_in(self, lang: str | None) -> str:
        """The sentence in ``lang``."""
        return self.wording.text(lang)


@dataclass(frozen=True)
class Plan:
    """What a file needs before it can be sent, worked out from its header facts."""

    checks: tuple[RuleCheck, ...]
    refusals: tuple[InputRefused, ...]  # the rules no fix can satisfy, the one to name first
    needs: tuple[InputRefused, ...]  # rules broken as-is that a fix repairs (refused when fix=False)
    transpose: bool
    target: tuple[int, int] | None  # downscale to this (displayed orientation)
    convert_from: Words | None  # "WebP", "CMYK JPEG", "16-bit PNG", ...
    convert_within: bool  # the conversion keeps the container (CMYK JPEG -> RGB JPEG)
    too_big: bool

    @property
    def refusal(self) -> InputRefused | None:
        """The reason to name: the ratio when it is broken (nothing can repair it), else the first."""
        return self.refusals[0] if self.refusals else None

    def will(self, facts: ImageFacts) -> tuple[Wording, ...]:
        """What ``prepare_image(fix=True)`` will do, in the future tense, for the check panel."""
        if self.refusals:
            return ()
        out = []
        if self.transpose:
            out.append(Wording.of("will_rotate", orientation=facts.orientation))
        if self.convert_from:
            to = "JPEG" if (facts.lossy or self.too_big) and not facts.has_alpha else "PNG"
            target: Words = what(_target_mode(facts), to) if self.convert_within else to
            out.append(Wording.of("will_convert", source=self.convert_from, target=target))
        if self.target:
            out.append(Wording.of("will_downscale", width=facts.width, height=facts.height,
                                  new_width=self.target[0], new_height=self.target[1]))
        if self.too_big:
            out.append(Wording.of("will_reencode", size=facts.size_bytes))
        if self.needs and facts.metadata:
            out.append(Wording.of("will_strip", kinds=metadata_words(facts.metadata)))
        return tuple(out)


def _target_mode(facts: ImageFacts) -> Words:
    """The pixel format a conversion within JPEG/PNG produces (mirrors image_fixes)."""
    if facts.bit_depth > 8:
        return Wording.of("mode_bits", bits=8)
    if facts.mode == "1":
        return mode_word("L")
    if facts.mode != "CMYK" and (facts.has_alpha or "A" in facts.mode):
        return mode_word("RGBA")
    return mode_word("RGB")


def ratio_text(width: int, height: int) -> str:
    """width/height with 2 decimals, or more when 2 would hide which side of a bound it is on."""
    exact = Fraction(width, height)

    def side(r: Fraction) -> tuple[int, int]:
        return (r > RATIO_LOW) - (r < RATIO_LOW), (r > RATIO_HIGH) - (r < RATIO_HIGH)

    shown = ""
    for digits in range(2, 7):
        shown = f"{float(exact):.{digits}f}"
        if side(Fraction(shown)) == side(exact):
            break
    return shown


def ratio_ok(width: int, height: int) -> bool:
    """The ratio rule, exactly."""
    return RATIO_LOW < Fraction(width, height) < RATIO_HIGH


def fit_within(width: int, height: int) -> tuple[int, int]:
    """Downscale so the long side is MAX_SIDE, keeping the ratio and still obeying the ratio rule.

    Rounding the short side can push a ratio just inside a bound to just outside it (8000x2667 is
    2.9996, 4096x1365 is 3.0007): then the other rounding is taken.
    """
    if max(width, height) <= MAX_SIDE:
        return width, height
    long, short = max(width, height), min(width, height)
    exact = Fraction(short * MAX_SIDE, long)
    half_up = int(exact + Fraction(1, 2))
    candidates = [half_up, int(exact), int(exact) + 1]
    for s in candidates:
        size = (MAX_SIDE, s) if width >= height else (s, MAX_SIDE)
        if s > 0 and ratio_ok(*size):
            return size
    return (MAX_SIDE, max(half_up, 1)) if width >= height else (max(half_up, 1), MAX_SIDE)


def _conversion(facts: ImageFacts) -> tuple[Words | None, bool, Wording]:
    """(what needs converting, whether the container stays, the rule sentence) or (None, ..)."""
    label = label_of(facts.format)
    if facts.format not in ACCEPTED:
        if facts.format == "GIF":
            label = Wording.of("label_still_gif")
        return label, False, Wording.of("format_refused", label=label, formats=RULES.formats)
    if facts.bit_depth > 8:
        kind = what(Wording.of("mode_bits", bits=facts.bit_depth), label)
        return kind, True, Wording.of("format_bits", what=kind)
    if facts.mode == "CMYK":
        kind = what(mode_word("CMYK"), label)
        return kind, True, Wording.of("format_cmyk", what=kind)
    if facts.mode not in _SENT_MODES[facts.format]:
        kind = what(mode_word(facts.mode), label)
        return kind, True, Wording.of("format_mode", what=kind)
    return None, False, Wording.of("format_ok", label=label)


def _side_check(name: str, value: int, rotated: bool) -> tuple[RuleCheck, InputRefused | None, bool]:
    """(the check, its refusal if broken, whether downscaling repairs it)."""
    where: Words = Wording.of("after_rotation") if rotated else ""
    params = Params(side=Wording.of(f"side_{name}"), px=value, where=where, min=MIN_SIDE, max=MAX_SIDE)
    if MIN_SIDE < value <= MAX_SIDE:
        return RuleCheck(name, True, Wording("side_ok", params)), None, False
    fixable = value > MAX_SIDE
    wording = Wording("side_big" if fixable else "side_small", params)
    refused = InputRefused.worded(wording, rule=name, value=value)
    return RuleCheck(name, False, wording, fixable), refused, fixable


class _Findings:
    """The checks made so far, in the panel's order, and the broken rules sorted by whether a fix helps."""

    def __init__(self) -> None:
        self.checks: list[RuleCheck] = []
        self.refusals: list[InputRefused] = []
        self.needs: list[InputRefused] = []

    def ok(self, name: str, wording: Wording) -> None:
        self.checks.append(RuleCheck(name, True, wording))

    def broken(self, name: str, wording: Wording, value: object, *, fixable: bool) -> None:
        self.checks.append(RuleCheck(name, False, wording, fixable))
        refused = InputRefused.worded(wording, rule=name, value=value)
        (self.needs if fixable else self.refusals).append(refused)


def _check_content(found: _Findings, facts: ImageFacts, pixel_budget: int) -> tuple[Words | None, bool]:
    """Format, animation, pixel count and orientation; returns what needs converting (see _conversion)."""
    convert_from, within, wording = _conversion(facts)
    if convert_from is None:
        found.ok("format", wording)
    else:
        found.broken("format", wording, facts.format, fixable=True)
    if facts.animated:
        key = "multipage" if facts.format == "TIFF" else "animated"
        found.broken("animation", Wording.of(key, label=label_of(facts.format), frames=facts.frames),
                     facts.frames, fixable=False)
    pixels = facts.stored_width * facts.stored_height
    if pixels > pixel_budget:
        bomb = bomb_refusal(pixels, (facts.stored_width, facts.stored_height))
        found.broken("pixels", bomb.wording, pixels, fixable=False)
    if facts.orientation != 1:
        found.broken("orientation", Wording.of("orientation", orientation=facts.orientation),
                     facts.orientation, fixable=True)
    return convert_from, within


def _check_measures(found: _Findings, facts: ImageFacts) -> None:
    """File size, each side, and the ratio, as displayed (after EXIF orientation)."""
    size = facts.size_bytes
    if size < SIZE_LIMIT:
        found.ok("file size", Wording.of("size_ok", size=size, limit=LIMIT))
    else:
        found.broken("file size", Wording.of("size_big", size=size, limit=LIMIT), size, fixable=True)
    w, h = facts.width, facts.height
    for name, value in (("width", w), ("height", h)):
        check, refused, fixable = _side_check(name, value, facts.rotated)
        found.checks.append(check)
        if refused is not None:
            (found.needs if fixable else found.refusals).append(refused)
    params = Params(ratio=ratio_text(w, h), low=RULES.min_ratio_exclusive, high=RULES.max_ratio_exclusive)
    if ratio_ok(w, h):
        found.ok("ratio", Wording("ratio_ok", params))
    else:
        key = "ratio_low" if Fraction(w, h) <= RATIO_LOW else "ratio_high"
        found.broken("ratio", Wording(key, params), float(Fraction(w, h)), fixable=False)


def plan_for(facts: ImageFacts, *, pixel_budget: int) -> Plan:
    """Check every rule against the facts and work out the fixes."""
    found = _Findings()
    convert_from, within = _check_content(found, facts, pixel_budget)
    _check_measures(found, facts)
    # A broken ratio is named first: no fix can help it, and it is often why a side is out of bounds
    # too (8000x100 is refused for its ratio of 80, not for "height 100").
    refusals = sorted(found.refusals, key=lambda r: r.rule != "ratio")
    w, h = facts.width, facts.height
    target = fit_within(w, h) if max(w, h) > MAX_SIDE else None
    if target and min(target) <= MIN_SIDE and not refusals:
        name = "height" if target[1] <= MIN_SIDE else "width"
        value = target[1] if name == "height" else target[0]
        side = Wording.of(f"side_{name}")
        refusals.append(refusal("side_after_downscale", rule=name, value=value, side=side, px=value,
                                max=MAX_SIDE, min=MIN_SIDE))
    return Plan(
        checks=tuple(found.checks),
        refusals=tuple(refusals),
        needs=tuple(found.needs),
        transpose=facts.orientation != 1,
        target=target,
        convert_from=convert_from,
        convert_within=within,
        too_big=facts.size_bytes >= SIZE_LIMIT,
    )
