"""The model's image rules applied to a file: the header-only check and the preparation for sending.

    report = inspect_image(path)     # milliseconds, no pixel decoded: every rule, the fixes, or the refusal
    image = prepare_image(path)      # decoded strictly, fixed where the picture stays the same, re-checked

Files are judged by their content, never their name; a hostile file is refused from its header
before anything is decoded (see :mod:`.header`).
"""

from client.dreamina.images.header import MAX_INPUT_BYTES, ImageSource
from client.dreamina.images.prepare import (
    ImageReport,
    PreparedImage,
    inspect_image,
    prepare_image,
    to_data_uri,
)
from client.dreamina.images.rules import RuleCheck, fit_within, ratio_ok

__all__ = [
    "MAX_INPUT_BYTES",
    "ImageReport",
    "ImageSource",
    "PreparedImage",
    "RuleCheck",
    "fit_within",
    "inspect_image",
    "prepare_image",
    "ratio_ok",
    "to_data_uri",
]
