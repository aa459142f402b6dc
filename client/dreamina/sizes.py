"""How a number of bytes is written for people, everywhere (rule sentences, facts, the CLI).

The words live in the per-language tables of :mod:`client.dreamina.wording`; this is the name the
rest of the code (and the face) imports: ``size_text(49_378)`` is '49.4 kB', ``size_text(49_378, "fr")``
is '49,4 ko'.
"""

from __future__ import annotations

from client.dreamina.wording import size_text

__all__ = ["size_text"]
