"""The one error of this package: an input broke one of the model's rules, so nothing was sent.

It is a ``ValueError``, not an API error: an image rule is not RunComfy's answer (the CLI exits 2 on
it, the page shows it before anything paid happens). It carries its sentence as a key and raw
parameters, so the page can say it in its own language; ``message`` is the English one.
"""

from __future__ import annotations

from typing import Any

from client.dreamina.wording import Params, Wording, sentence


class InputRefused(ValueError):
    """An input broke one of the model's rules; nothing was sent to the API.

    ``message`` is a sentence naming the rule and the measured value; ``rule`` names the rule
    (``"width"``, ``"ratio"``, ``"prompt max length"``, ...) and ``value`` holds what was measured.
    ``key`` and ``params`` are that sentence in the wording tables (``text(lang)`` renders it); a
    refusal raised with a bare message (``key=""``) says that message in every language.
    """

    def __init__(
        self,
        message: str = "",
        *,
        rule: str = "",
        value: Any = None,
        key: str = "",
        params: dict[str, Any] | None = None,
    ) -> None:
        self.key = key
        self.params = Params(params or {})
        if key and not message:
            message = sentence(key, "en", **self.params)
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.value = value

    @classmethod
    def worded(cls, wording: Wording, *, rule: str, value: Any = None) -> InputRefused:
        """The refusal saying ``wording``."""
        return cls(rule=rule, value=value, key=wording.key, params=wording.params)

    @property
    def wording(self) -> Wording:
        """The sentence as a :class:`Wording` (a bare message is kept as it is: key ``as_is``)."""
        return Wording(self.key, self.params) if self.key else Wording.of("as_is", text=self.message)

    def text(self, lang: str | None = "en") -> str:
        """The sentence in ``lang`` ('en', 'fr'; unknown: English)."""
        return self.wording.text(lang)

    def __str__(self) -> str:
        return self.message


def refusal(key: str, *, rule: str, value: Any = None, **params: Any) -> InputRefused:
    """The refusal saying the sentence ``key``: ``raise refusal("url_empty", rule="image url")``."""
    return InputRefused(rule=rule, value=value, key=key, params=params)


def refusal_text(exc: InputRefused, lang: str | None) -> str:
    """What ``exc`` says in ``lang`` (the page's way to show any refusal)."""
    return exc.text(lang)
