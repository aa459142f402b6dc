"""The one error of this package: an input broke one of the model's rules, so nothing was sent.

It is a ``ValueError``, not an API error: an image rule is not RunComfy's answer (the CLI exits 2 on
it, the page shows it before anything paid happens).
"""

from __future__ import annotations

from typing import Any


class InputRefused(ValueError):
    """An input broke one of the model's rules; nothing was sent to the API.

    ``message`` is a sentence naming the rule and the measured value; ``rule`` names the rule
    (``"width"``, ``"ratio"``, ``"prompt max length"``, ...) and ``value`` holds what was measured.
    """

    def __init__(self, message: str, *, rule: str = "", value: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.value = value

    def __str__(self) -> str:
        return self.message
