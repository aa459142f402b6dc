"""How a number of bytes is written for people, everywhere (rule sentences, facts, the CLI)."""

from __future__ import annotations


def size_text(size: int) -> str:
    """Decimal units, as the 4.7 MB rule counts them: '13 bytes', '49.0 kB', '4.7 MB', '12.3 MB'.

    Under 100 kB a size reads better in kB ('0.0 MB' reads as empty); one decimal is enough
    everywhere a size is shown, because a rule sentence also gives the exact byte count.
    """
    if size < 1_000:
        return f"{size} bytes"
    if size < 100_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"
