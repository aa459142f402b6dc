"""What Dreamina 3.0 Pro image-to-video accepts: its schema, the request, the image rules.

    job = build_job("A slow dolly-in", image=Path("photo.jpg"), seed=-1, frames=121)
    job.request.payload()   # exactly what is submitted: checked, seed resolved, image ready
    job.fixes               # what was done to the picture to make it acceptable

Every limit and default lives in ``schema.json`` (read once as :data:`SCHEMA`). An input that breaks
a rule raises :class:`InputRefused` naming the rule and the value, before anything is sent. Every
sentence about the rules comes from one table per language (:mod:`.wording`): checks, fixes and
refusals carry a :class:`Wording`, so ``exc.text("fr")`` or ``report.fixes_in("fr")`` says it in French.
Pillow is the only library used here; nothing of the API, the store or the page.
"""

from client.dreamina.errors import InputRefused, refusal_text
from client.dreamina.images import (
    MAX_INPUT_BYTES,
    ImageReport,
    PreparedImage,
    RuleCheck,
    fit_within,
    inspect_image,
    prepare_image,
    ratio_ok,
    to_data_uri,
)
from client.dreamina.request import (
    JobRequest,
    PreparedJob,
    build_job,
    check_frames,
    check_image_url,
    check_prompt,
    frames_text,
    resolve_seed,
)
from client.dreamina.schema import SCHEMA, ImageRules, ModelSchema, load_schema
from client.dreamina.sizes import size_text
from client.dreamina.wording import Wording, decimal_text, language, number_text, or_text, sentence

__all__ = [
    "MAX_INPUT_BYTES",
    "SCHEMA",
    "ImageReport",
    "ImageRules",
    "InputRefused",
    "JobRequest",
    "ModelSchema",
    "PreparedImage",
    "PreparedJob",
    "RuleCheck",
    "Wording",
    "build_job",
    "check_frames",
    "check_image_url",
    "check_prompt",
    "decimal_text",
    "fit_within",
    "frames_text",
    "inspect_image",
    "language",
    "load_schema",
    "number_text",
    "or_text",
    "prepare_image",
    "ratio_ok",
    "refusal_text",
    "resolve_seed",
    "sentence",
    "size_text",
    "to_data_uri",
]
