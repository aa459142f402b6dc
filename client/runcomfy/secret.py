"""A token that cannot leak by accident: its ``str``/``repr`` are masked, only ``reveal()`` shows it."""

from __future__ import annotations


class Secret:
    """Holds an API token. ``str()``, ``repr()`` and f-strings print ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value.strip()

    def reveal(self) -> str:
        """The real value, for the Authorization header and nothing else."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> object:
        # Pickling (Gradio state, multiprocessing) must not write the token anywhere.
        raise TypeError("Secret cannot be pickled")
