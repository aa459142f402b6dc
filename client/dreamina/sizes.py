"""How a number of bytes is written for people, everywhere (rule sentences, facts, the CLI)."""

from __future__ import annotations


def size_text(size: int) -> str:
    """Decimal units, as the 4.7 MB rule counts them: '13 bytes', '49.4 kB', '123 kB', '4.7 MB', '12.3 MB'.

    Small sizes read better in kB than as '0.0 MB' or '0.1 MB'; one decimal is enough from 1 MB up,
    because a rule sentence also gives the exact byte count.
    """
    if size < 1_000:
        return f"{size} bytes"
    if size < 100_000:
        return f"{size / 1_000:.1f} kB"
    if size < 999_500:  # from there it would round to "1000 kB"
        return f"{round(size / 1_000)} kB"
    return f"{size / 1_000_000:.1f} MB"
