"""The stand-in's own, strict check of a submitted input against ``SCHEMA.input``.

Independent of the client's checks on purpose: the server must refuse what the client lets
through by mistake. Small and schema-driven (required keys, no unknown keys, exact types where
a bool is not an integer, lengths in code points, enums, bounds), plus the model's image rules
for data URIs, checked on the decoded bytes with Pillow.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from client.dreamina import SCHEMA, ImageRules, ModelSchema

_DATA_URI = re.compile(r"data:image/(?:jpeg|png);base64,(?P<data>.*)", re.IGNORECASE | re.DOTALL)
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "array": (list,),
    "object": (dict,),
    "boolean": (bool,),
}


@dataclass(frozen=True)
class FieldError:
    """One reason an input was refused, located like FastAPI/pydantic do (``["body", key, ...]``)."""

    loc: tuple[str | int, ...]
    msg: str

    def as_json(self) -> dict[str, Any]:
        """The ``detail`` entry for the 422 body."""
        return {"loc": ["body", *self.loc], "msg": self.msg}


class InputInvalid(ValueError):
    """The input breaks the schema; ``errors`` lists every reason found."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e.loc)) or 'body'}: {e.msg}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class ValidInput:
    """An accepted input, defaults filled in. ``image_bytes`` is set for data URIs."""

    prompt: str
    image_url: str
    image_bytes: bytes | None
    seed: int
    frames: int


def check_image_bytes(data: bytes, rules: ImageRules | None = None) -> list[str]:
    """Every way ``data`` breaks the model's image rules (empty when it is acceptable).

    The format is read from the content, never from a name or a declared media type.
    """
    rules = rules or SCHEMA.image_rules
    problems: list[str] = []
    if len(data) >= rules.max_file_bytes_exclusive:
        problems.append(
            f"the file is {len(data):,} bytes; it must be under {rules.max_file_bytes_exclusive:,} bytes"
        )
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, (width, height) = img.format, img.size
    except (UnidentifiedImageError, OSError, ValueError):
        return [*problems, "the file is not a readable image; upload a JPEG or PNG"]
    if fmt not in rules.formats:
        problems.append(f"the image is {fmt}; only {' or '.join(rules.formats)} is accepted")
    if min(width, height) <= rules.min_side_px_exclusive:
        problems.append(
            f"the image is {width}x{height}; each side must be more than {rules.min_side_px_exclusive} px"
        )
    if max(width, height) > rules.max_side_px:
        problems.append(f"the image is {width}x{height}; each side must be at most {rules.max_side_px} px")
    ratio = width / height
    if not rules.min_ratio_exclusive < ratio < rules.max_ratio_exclusive:
        problems.append(
            f"the image's width/height ratio is {ratio:.3f}; it must be between "
            f"{rules.min_ratio_exclusive} and {rules.max_ratio_exclusive} (exclusive)"
        )
    return problems


def _decode_data_uri(value: str, rules: ImageRules) -> tuple[bytes | None, list[str]]:
    match = _DATA_URI.fullmatch(value)
    if match is None:
        return None, ["a data URI must be data:image/jpeg;base64,... or data:image/png;base64,..."]
    encoded = match.group("data")
    # Refuse an oversized payload before spending time and memory decoding it.
    if len(encoded) > (rules.max_file_bytes_exclusive * 4) // 3 + 8:
        return None, [f"the file is too large; it must be under {rules.max_file_bytes_exclusive:,} bytes"]
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None, ["the data URI is not valid base64"]
    problems = check_image_bytes(data, rules)
    return (None if problems else data), problems


def _check_image_uri(value: str, rules: ImageRules) -> tuple[bytes | None, list[str]]:
    """Accept an https URL (fetched later, by the job) or a JPEG/PNG data URI (checked now)."""
    if value[:5].lower() == "data:":
        return _decode_data_uri(value, rules)
    if value[:8].lower() == "https://":
        host = value[8:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        return None, ([] if host else ["the URL has no host"])
    return None, ["must be an https:// URL or a data:image/jpeg|png;base64 URI"]


def _check_value(value: Any, spec: dict[str, Any], loc: tuple[str | int, ...]) -> list[FieldError]:
    expected = spec.get("type")
    if expected in _JSON_TYPES:
        ok = isinstance(value, _JSON_TYPES[expected])
        if expected == "integer" and isinstance(value, bool):
            ok = False  # JSON true is not the number 1
        if not ok:
            return [FieldError(loc, f"must be of type {expected}, got {type(value).__name__}")]
    errors: list[FieldError] = []
    if "enum" in spec and value not in spec["enum"]:
        allowed = ", ".join(map(str, spec["enum"]))
        errors.append(FieldError(loc, f"must be one of {allowed}, got {value!r}"))
    if isinstance(value, str):
        # len() counts code points, as JSON Schema's maxLength does.
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            errors.append(FieldError(loc, f"is {len(value)} characters; at most {spec['maxLength']}"))
        if len(value) < spec.get("minLength", 0):
            errors.append(FieldError(loc, f"must be at least {spec['minLength']} characters"))
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in spec and value < spec["minimum"]:
            errors.append(FieldError(loc, f"must be >= {spec['minimum']}"))
        if "maximum" in spec and value > spec["maximum"]:
            errors.append(FieldError(loc, f"must be <= {spec['maximum']}"))
    if isinstance(value, list):
        if len(value) < spec.get("minItems", 0) or len(value) > spec.get("maxItems", len(value)):
            errors.append(
                FieldError(
                    loc,
                    f"must hold {spec.get('minItems', 0)} to {spec.get('maxItems')} items, got {len(value)}",
                )
            )
        for i, item in enumerate(value):
            errors += _check_value(item, spec.get("items", {}), (*loc, i))
    return errors


def validate_input(payload: Any, schema: ModelSchema = SCHEMA) -> ValidInput:
    """Check ``payload`` (parsed JSON) against the schema; raise :class:`InputInvalid` with every reason."""
    spec = schema.input
    if not isinstance(payload, dict):
        raise InputInvalid([FieldError((), "the body must be a JSON object")])
    props: dict[str, dict[str, Any]] = spec["properties"]
    errors = [FieldError((key,), "field required") for key in spec.get("required", []) if key not in payload]
    if spec.get("additionalProperties") is False:
        errors += [FieldError((key,), "extra field not permitted") for key in payload if key not in props]
    for key, value in payload.items():
        if key in props:
            errors += _check_value(value, props[key], (key,))

    prompt = payload.get("prompt")
    if isinstance(prompt, str) and not prompt.strip():
        errors.append(FieldError(("prompt",), "must not be empty"))
    image_bytes: bytes | None = None
    urls = payload.get("image_urls")
    if isinstance(urls, list) and len(urls) == 1 and isinstance(urls[0], str):
        image_bytes, problems = _check_image_uri(urls[0], schema.image_rules)
        errors += [FieldError(("image_urls", 0), p) for p in problems]
    if errors:
        raise InputInvalid(errors)
    return ValidInput(
        prompt=payload["prompt"],
        image_url=urls[0],
        image_bytes=image_bytes,
        seed=payload.get("seed", schema.seed_random),
        frames=payload.get("frames", schema.default_frames),
    )
