"""One way to write a size for people: the rule sentences, the facts line and the CLI all use it."""

from __future__ import annotations

import pytest

from client.dreamina import size_text


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 bytes"), (999, "999 bytes"), (1_000, "1.0 kB"), (49_378, "49.4 kB"), (123_442, "123 kB"),
    (999_499, "999 kB"), (999_500, "1.0 MB"), (4_700_000, "4.7 MB"), (12_345_678, "12.3 MB"),
])
def test_sizes_read_in_the_unit_that_suits_them(size, text):
    assert size_text(size) == text
