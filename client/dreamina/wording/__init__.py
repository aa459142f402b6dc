"""The model's rule sentences, one table per language: the rules are data, their words are here.

    w = Wording.of("side_small", side=Wording.of("side_width"), px=200, where="", min=320)
    w.text("en")   # 'width 200 px: must be more than 320'
    w.text("fr")   # 'largeur 200 px : doit dépasser 320'

Checks and refusals carry a :class:`Wording` (a key and its raw parameters), never a finished
sentence, so any page can render them in its own language later; the English text the CLI prints
is the same table read in English. A parameter may itself be a :class:`Wording` (rendered in the
same language) or a tuple of them (joined). A field's format spec says how a number is written:

- ``n``: a grouped integer ('4,700,000' / '4 700 000'); ``dec``: a decimal ('1.78' / '1,78');
- ``mb`` / ``mb1``: bytes as MB (:g / one decimal); ``size``: a size with its unit ('49.4 kB' / '49,4 ko');
- ``or`` / ``semi``: a tuple joined by 'or' / ';'.

An unknown language falls back to English. Only ``{detail}`` (a third party's English words:
Pillow's, the OS's) may be left out of a non-English sentence.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from client.dreamina.wording import en, fr

SENTENCES: dict[str, dict[str, str]] = {"en": en.SENTENCES, "fr": fr.SENTENCES}
DEFAULT = "en"
TECHNICAL = frozenset({"detail"})
"""Placeholders holding someone else's English text, which another language's sentence may omit."""


def language(lang: str | None) -> str:
    """The table for a language tag: 'fr', 'FR', 'fr-CA' -> 'fr'; anything unknown (or None) -> 'en'."""
    base = str(lang or "").replace("_", "-").split("-")[0].strip().lower()
    return base if base in SENTENCES else DEFAULT


class Params(dict[str, Any]):
    """A sentence's raw parameters: a plain dict to read, hashable so the frozen records holding it
    stay hashable (as they were when they held only text). Never changed after it is made."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


@dataclass(frozen=True)
class Wording:
    """A sentence not yet put into words: its key in the tables and its raw parameters."""

    key: str
    params: Params = field(default_factory=Params)

    def __post_init__(self) -> None:
        if not isinstance(self.params, Params):
            object.__setattr__(self, "params", Params(self.params))

    @classmethod
    def of(cls, key: str, **params: Any) -> Wording:
        """``Wording.of("ratio_high", ratio="4.00", high=3.0)``."""
        return cls(key, Params(params))

    def text(self, lang: str | None = DEFAULT) -> str:
        """The sentence in ``lang`` (English by default)."""
        return sentence(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.text()


def sentence(key: str, lang: str | None = DEFAULT, **params: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``params`` filled in; an unknown key is a KeyError (a bug)."""
    code = language(lang)
    template = SENTENCES[code].get(key)
    if template is None:
        template = SENTENCES[DEFAULT][key]
    return _Formatter(code).vformat(template, (), params)


def decimal_text(value: float | str, lang: str | None = DEFAULT, digits: int | None = None) -> str:
    """A decimal number with the language's mark: (1.7778, 'fr', 2) -> '1,78'; a str is taken as written."""
    if isinstance(value, str):
        shown = value
    else:
        shown = f"{value:.{digits}f}" if digits is not None else f"{value:g}"
    return shown.replace(".", SENTENCES[language(lang)]["decimal_mark"])


def number_text(value: int, lang: str | None = DEFAULT) -> str:
    """A whole number with the language's thousands mark: 4700000 -> '4,700,000' / '4 700 000'."""
    return f"{int(value):,}".replace(",", SENTENCES[language(lang)]["thousands_mark"])


def size_text(size: int, lang: str | None = DEFAULT) -> str:
    """Decimal units, as the 4.7 MB rule counts them: '13 bytes', '49.4 kB', '123 kB', '4.7 MB', '12.3 MB'
    (in French '13 octets', '49,4 ko', '123 ko', '4,7 Mo').

    Small sizes read better in kB than as '0.0 MB' or '0.1 MB'; one decimal is enough from 1 MB up,
    because a rule sentence also gives the exact byte count.
    """
    if size < 1_000:
        return sentence("unit_bytes", lang, n=size)
    if size < 100_000:
        return sentence("unit_kb", lang, n=decimal_text(f"{size / 1_000:.1f}", lang))
    if size < 999_500:  # from there it would round to "1000 kB"
        return sentence("unit_kb", lang, n=round(size / 1_000))
    return sentence("unit_mb", lang, n=decimal_text(f"{size / 1_000_000:.1f}", lang))


def or_text(items: Iterable[Any], lang: str | None = DEFAULT) -> str:
    """Items (wordings or names) joined by the language's "or": 'JPEG or PNG' / 'JPEG ou PNG'."""
    return _join("join_or")(items, language(lang))


def _join(mark: str) -> Callable[[Any, str], str]:
    def join(items: Any, lang: str) -> str:
        return SENTENCES[lang][mark].join(_plain(item, lang) for item in items)

    return join


_SPECS: dict[str, Callable[[Any, str], str]] = {
    "n": number_text,
    "dec": decimal_text,
    "mb": lambda v, lang: decimal_text(v / 1_000_000, lang),
    "mb1": lambda v, lang: decimal_text(v / 1_000_000, lang, 1),
    "size": size_text,
    "or": _join("join_or"),
    "semi": _join("join_semi"),
}


def _plain(value: Any, lang: str) -> str:
    if isinstance(value, Wording):
        return value.text(lang)
    if isinstance(value, tuple | list):
        return _join("join_list")(value, lang)
    return str(value)


class _Formatter(string.Formatter):
    """``str.format`` that renders nested wordings, lists and number specs in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        render = _SPECS.get(format_spec)
        if render is not None:
            return render(value, self.lang)
        if isinstance(value, Wording | tuple | list):
            return format(_plain(value, self.lang), format_spec)
        return format(value, format_spec)


__all__ = [
    "DEFAULT",
    "SENTENCES",
    "TECHNICAL",
    "Params",
    "Wording",
    "decimal_text",
    "language",
    "number_text",
    "or_text",
    "sentence",
    "size_text",
]
