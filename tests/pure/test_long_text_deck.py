"""The deck's text wrapping (vsm.export.text) stays linear on long text.

Laying out a slide wraps the same step name at several widths and sizes; a name of a million
characters (the model now bounds names, but files made elsewhere and older versions did not)
used to be measured word by word again at every width, which took the export for minutes on
10 MB. Now each line is measured once and every width is a binary search in the running sum
of its widths, with exactly the lines the word-by-word wrap gave.
"""

from __future__ import annotations

import random

from vsm.export import text
from vsm.export.text import fits, text_width, wrap

# The word-by-word greedy wrap the deck has always used (one line, no line breaks): the wrap
# still falls back to it for lines that need trimming, and it is the reference here.
reference_wrap = text._wrap_word_by_word


def test_wrap_gives_the_lines_of_the_word_by_word_wrap():
    rng = random.Random(3)
    alphabet = "ab cdefg  hij KLMNÄÖ€→\t\xa0\u2003.-—WWiii漢字\n\v\r"
    for _ in range(5000):
        sample = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 90)))
        width = rng.choice([0.0, 0.2, 0.5, 1.0, 1.37, 3.0])
        points, bold = rng.choice([7, 9, 11, 14]), rng.random() < 0.5
        expected = [line for part in sample.replace("\v", "\n").split("\n")
                    for line in reference_wrap(part, width, points, bold)]
        assert wrap(sample, width, points, bold) == expected, (sample, width, points, bold)
        assert fits(sample, width, points, bold) == all(
            text_width(word, points, bold) <= width
            for line in sample.replace("\v", "\n").split("\n") for word in line.split(" "))


def test_a_long_line_is_measured_once_for_every_width(monkeypatch):
    line = " ".join(f"word{n % 97}" for n in range(200_000))  # 1.2 million characters
    calls = 0
    measure = text._units

    def counting(piece: str, bold: bool) -> int:
        nonlocal calls
        calls += 1
        return measure(piece, bold)

    monkeypatch.setattr(text, "_units", counting)
    counts = [len(wrap(line, width, 11, True)) for width in (0.8, 1.0, 1.2, 1.5, 2.0) * 4]
    # 200,000 words: each measured once (the word-by-word wrap measured the running line at
    # every word and every width: 20 widths x 200,000 = 4 million calls, about 10 s)
    assert calls <= 200_000 + 100
    assert counts[0] > counts[4] > 1000
