"""The model's image rules, applied to an image's header facts: each check's sentence, and the plan.

Every bound comes from ``SCHEMA.image_rules``. A plan says which rules the file breaks as it is,
which of those a fix repairs without changing the picture (rotate upright, downscale, convert,
re-encode), and the first one nothing can repair (ratio, too small, animated, a bomb).
Ratios are compared as exact fractions against the decimal bounds as written in the schema, so
963x321 is exactly 3 and 33x100 exactly 0.33, with no float rounding either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from client.dreamina.errors import InputRefused
from client.dreamina.images.header import LABELS, RULES, ImageFacts, bomb_refusal
from client.dreamina.images.sniff import ACCEPTED_TEXT
from client.dreamina.sizes import size_text

ACCEPTED = frozenset(RULES.formats)
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}
MIN_SIDE = RULES.min_side_px_exclusive
MAX_SIDE = RULES.max_side_px
SIZE_LIMIT = RULES.max_file_bytes_exclusive
RATIO_LOW = Fraction(str(RULES.min_ratio_exclusive))  # str() so 0.33 means 33/100, not the float
RATIO_HIGH = Fraction(str(RULES.max_ratio_exclusive))
_MODE_WORDS = {"P": "palette", "PA": "palette+alpha", "LA": "grayscale+alpha", "1": "1-bit", "I": "32-bit"}
_SENT_MODES = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L")}


LIMIT_TEXT = f"{SIZE_LIMIT / 1_000_000:g} MB ({SIZE_LIMIT:,} bytes)"


@dataclass(frozen=True)
class RuleCheck:
    """One line of the live check panel."""

    name: str
    ok: bool
    text: str


@dataclass(frozen=True)
class Plan:
    """What a file needs before it can be sent, worked out from its header facts."""

    checks: tuple[RuleCheck, ...]
    refusal: InputRefused | None  # the first rule no fix can satisfy
    needs: tuple[InputRefused, ...]  # rules broken as-is that a fix repairs (refused when fix=False)
    transpose: bool
    target: tuple[int, int] | None  # downscale to this (displayed orientation)
    convert_from: str | None  # "WebP", "CMYK JPEG", "16-bit PNG", ...
    convert_within: bool  # the conversion keeps the container (CMYK JPEG -> RGB JPEG)
    too_big: bool

    def will(self, facts: ImageFacts) -> tuple[str, ...]:
        """What ``prepare_image(fix=True)`` will do, in the future tense, for the check panel."""
        if self.refusal is not None:
            return ()
        out = []
        if self.transpose:
            out.append(f"will apply EXIF rotation (orientation {facts.orientation})")
        if self.convert_from:
            to = "JPEG" if (facts.lossy or self.too_big) and not facts.has_alpha else "PNG"
            to = f"{_target_word(facts)} {to}" if self.convert_within else to
            out.append(f"will convert {self.convert_from} to {to}")
        if self.target:
            out.append(f"will downscale {facts.width}x{facts.height} -> {self.target[0]}x{self.target[1]}")
        if self.too_big:
            out.append(f"will re-encode as JPEG because the file is {size_text(facts.size_bytes)}")
        if self.needs and facts.metadata:
            out.append(f"will remove metadata ({', '.join(facts.metadata)})")
        return tuple(out)


def _target_word(facts: ImageFacts) -> str:
    """The pixel format a conversion within JPEG/PNG produces (mirrors image_fixes)."""
    if facts.bit_depth > 8:
        return "8-bit"
    if facts.mode == "1":
        return "grayscale"
    if facts.mode != "CMYK" and (facts.has_alpha or "A" in facts.mode):
        return "RGBA"
    return "RGB"


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


def _conversion(facts: ImageFacts) -> tuple[str | None, bool, str]:
    """(what needs converting, whether the container stays, the rule sentence) or (None, ..)."""
    label = LABELS.get(facts.format, facts.format)
    if facts.format not in ACCEPTED:
        if facts.format == "GIF":
            label = "still GIF"
        return label, False, f"format {label}: the API takes only {ACCEPTED_TEXT}"
    if facts.bit_depth > 8:
        what = f"{facts.bit_depth}-bit {label}"
        return what, True, f"format {what}: only 8-bit images are sent"
    if facts.mode == "CMYK":
        return f"CMYK {label}", True, f"format CMYK {label}: only RGB or grayscale images are sent"
    if facts.mode not in _SENT_MODES[facts.format]:
        what = f"{_MODE_WORDS.get(facts.mode, facts.mode)} {label}"
        return what, True, f"format {what}: only RGB, RGBA or grayscale images are sent"
    return None, False, f"format {label} ✓"


def _side_check(name: str, value: int, rotated: bool) -> tuple[RuleCheck, InputRefused | None, bool]:
    """(the check, its refusal if broken, whether downscaling repairs it)."""
    where = " (after EXIF rotation)" if rotated else ""
    if value <= MIN_SIDE:
        problem = f"{name} {value} px{where}: must be more than {MIN_SIDE}"
    elif value > MAX_SIDE:
        problem = f"{name} {value} px{where}: must be at most {MAX_SIDE}"
    else:
        text = f"{name} {value} px{where}: more than {MIN_SIDE} and at most {MAX_SIDE} ✓"
        return RuleCheck(name, True, text), None, False
    return RuleCheck(name, False, problem), InputRefused(problem, rule=name, value=value), value > MAX_SIDE


class _Findings:
    """The checks made so far, in the panel's order, and the broken rules sorted by whether a fix helps."""

    def __init__(self) -> None:
        self.checks: list[RuleCheck] = []
        self.refusals: list[InputRefused] = []
        self.needs: list[InputRefused] = []

    def ok(self, name: str, text: str) -> None:
        self.checks.append(RuleCheck(name, True, text))

    def broken(self, name: str, text: str, value: object, *, fixable: bool) -> None:
        self.checks.append(RuleCheck(name, False, text))
        (self.needs if fixable else self.refusals).append(InputRefused(text, rule=name, value=value))


def _check_content(found: _Findings, facts: ImageFacts, pixel_budget: int) -> tuple[str | None, bool]:
    """Format, animation, pixel count and orientation; returns what needs converting (see _conversion)."""
    convert_from, within, text = _conversion(facts)
    if convert_from is None:
        found.ok("format", text)
    else:
        found.broken("format", text, facts.format, fixable=True)
    label = LABELS.get(facts.format, facts.format)
    if facts.animated:
        what = f"a multi-page {label} ({facts.frames} pages)" if facts.format == "TIFF" else (
            f"an animated {label} ({facts.frames} frames)"
        )
        found.broken("animation", f"file is {what}: only a still image can be used", facts.frames,
                     fixable=False)
    pixels = facts.stored_width * facts.stored_height
    if pixels > pixel_budget:
        refusal = bomb_refusal(pixels, (facts.stored_width, facts.stored_height))
        found.broken("pixels", refusal.message, pixels, fixable=False)
    if facts.orientation != 1:
        text = f"EXIF orientation {facts.orientation}: the picture must be turned upright before sending"
        found.broken("orientation", text, facts.orientation, fixable=True)
    return convert_from, within


def _check_measures(found: _Findings, facts: ImageFacts) -> None:
    """File size, each side, and the ratio, as displayed (after EXIF orientation)."""
    size = facts.size_bytes
    measured = f"file size {size_text(size)} ({size:,} bytes)"
    if size < SIZE_LIMIT:
        found.ok("file size", f"{measured}: less than {LIMIT_TEXT} ✓")
    else:
        found.broken("file size", f"{measured}: must be less than {LIMIT_TEXT}", size, fixable=True)
    w, h = facts.width, facts.height
    for name, value in (("width", w), ("height", h)):
        check, refusal, fixable = _side_check(name, value, facts.rotated)
        found.checks.append(check)
        if refusal is not None:
            (found.needs if fixable else found.refusals).append(refusal)
    low, high = f"{RULES.min_ratio_exclusive:g}", f"{RULES.max_ratio_exclusive:g}"
    shown = ratio_text(w, h)
    if ratio_ok(w, h):
        found.ok("ratio", f"ratio {shown} (width/height): more than {low} and less than {high} ✓")
    else:
        bound = f"more than {low}" if Fraction(w, h) <= RATIO_LOW else f"less than {high}"
        found.broken("ratio", f"ratio {shown} (width/height): must be {bound}", float(Fraction(w, h)),
                     fixable=False)


def plan_for(facts: ImageFacts, *, pixel_budget: int) -> Plan:
    """Check every rule against the facts and work out the fixes."""
    found = _Findings()
    convert_from, within = _check_content(found, facts, pixel_budget)
    _check_measures(found, facts)
    w, h = facts.width, facts.height
    target = fit_within(w, h) if max(w, h) > MAX_SIDE else None
    if target and min(target) <= MIN_SIDE and not found.refusals:
        name = "height" if target[1] <= MIN_SIDE else "width"
        value = target[1] if name == "height" else target[0]
        text = f"{name} {value} px after downscaling to fit {MAX_SIDE}: must be more than {MIN_SIDE}"
        found.refusals.append(InputRefused(text, rule=name, value=value))
    return Plan(
        checks=tuple(found.checks),
        refusal=found.refusals[0] if found.refusals else None,
        needs=tuple(found.needs),
        transpose=facts.orientation != 1,
        target=target,
        convert_from=convert_from,
        convert_within=within,
        too_big=facts.size_bytes >= SIZE_LIMIT,
    )
