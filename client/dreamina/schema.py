"""The model's schema, read from ``schema.json``: the one place every limit lives.

Everything that knows a limit (prompt length, frame counts, seed range, image rules, defaults)
reads it from :data:`SCHEMA`, so the UI, the checks and the offline stand-in never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@dataclass(frozen=True)
class ImageRules:
    """The model's image rules (all bounds as the seed states them)."""

    formats: tuple[str, ...]
    max_file_bytes_exclusive: int
    min_side_px_exclusive: int
    max_side_px: int
    min_ratio_exclusive: float
    max_ratio_exclusive: float


@dataclass(frozen=True)
class ModelSchema:
    """Typed view over ``schema.json``."""

    raw: dict[str, Any]

    @property
    def model(self) -> str:
        """The model id used in the submit path."""
        return str(self.raw["model"])

    @property
    def input(self) -> dict[str, Any]:
        """The input JSON Schema (as submitted to the API)."""
        return self.raw["input"]

    @property
    def output(self) -> dict[str, Any]:
        """The output JSON Schema."""
        return self.raw["output"]

    def _prop(self, name: str) -> dict[str, Any]:
        return self.input["properties"][name]

    @property
    def prompt_max_chars(self) -> int:
        """Maximum prompt length in code points."""
        return int(self._prop("prompt")["maxLength"])

    @property
    def default_prompt(self) -> str:
        """The model page's example prompt."""
        return str(self._prop("prompt")["default"])

    @property
    def default_image_url(self) -> str:
        """The model page's example image URL."""
        return str(self._prop("image_urls")["default"][0])

    @property
    def seed_min(self) -> int:
        """Lowest accepted seed (-1 means random)."""
        return int(self._prop("seed")["minimum"])

    @property
    def seed_max(self) -> int:
        """Highest accepted seed."""
        return int(self._prop("seed")["maximum"])

    @property
    def seed_random(self) -> int:
        """The seed value that asks for a random seed."""
        return int(self._prop("seed")["default"])

    @property
    def frames_choices(self) -> tuple[int, ...]:
        """Allowed frame counts."""
        return tuple(int(v) for v in self._prop("frames")["enum"])

    @property
    def default_frames(self) -> int:
        """Default frame count."""
        return int(self._prop("frames")["default"])

    @property
    def fps(self) -> int:
        """Frames per second of the model's videos."""
        return int(self.raw["video"]["fps"])

    def seconds_for(self, frames: int) -> int:
        """Nominal video length in seconds for a frame count (121 -> 5)."""
        return int(self.raw["video"]["seconds_by_frames"][str(frames)])

    @cached_property
    def image_rules(self) -> ImageRules:
        """The image rules."""
        r = self.raw["image_rules"]
        return ImageRules(
            formats=tuple(r["formats"]),
            max_file_bytes_exclusive=int(r["max_file_bytes_exclusive"]),
            min_side_px_exclusive=int(r["min_side_px_exclusive"]),
            max_side_px=int(r["max_side_px"]),
            min_ratio_exclusive=float(r["min_ratio_exclusive"]),
            max_ratio_exclusive=float(r["max_ratio_exclusive"]),
        )


def load_schema(path: Path = SCHEMA_PATH) -> ModelSchema:
    """Read a schema file (the packaged one by default)."""
    return ModelSchema(json.loads(path.read_text(encoding="utf-8")))


SCHEMA = load_schema()
