"""Objective checks of a rendered PowerPoint deck, for the test suite and for measuring decks.

Rendered checks (need LibreOffice and poppler's pdftotext):

* `render_pdf` converts a deck to PDF with LibreOffice Impress in a private profile;
* `broken_words` lists the words a slide holds that its rendered page does not show whole (a
  word wrapped mid-word, "acknowle" / "dge", or cut off);
* `overlapping_words` lists pairs of rendered words whose boxes overlap.

Geometric checks on the PPTX itself (connectors through boxes, shapes outside the slide) are in
tests/helpers/deck_geometry.py; the command line below runs both kinds.

Run `python -m tests.helpers.deck_checks DECK.pptx [...]` to measure decks by hand.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.oxml.ns import qn

from tests.helpers.deck_geometry import (
    connectors_through_boxes,
    groups_around,
    shapes_outside_slide,
    walk_shapes,
)

__all__ = ["DeckCheckError", "WordBox", "broken_words", "libreoffice_available", "main",
           "normalise_words", "overlapping_words", "pdftotext_available", "render_pdf",
           "slide_text", "word_boxes"]

EMU_PER_INCH = 914400


class DeckCheckError(RuntimeError):
    """A deck could not be rendered or read for checking."""


# ---------------------------------------------------------------- rendering


def libreoffice_available() -> bool:
    """Whether the `libreoffice` command is on the PATH."""
    return shutil.which("libreoffice") is not None


def pdftotext_available() -> bool:
    """Whether poppler's `pdftotext` command is on the PATH (the rendered checks need it)."""
    return shutil.which("pdftotext") is not None


def render_pdf(pptx: Path, folder: Path, timeout: float = 180) -> Path:
    """Convert `pptx` to PDF with headless LibreOffice into `folder`; return the PDF's path.

    LibreOffice runs with its own profile inside `folder` (`-env:UserInstallation`), so parallel
    conversions do not share (and block on) the user's profile. Raises DeckCheckError when
    LibreOffice is missing, times out or writes no PDF.
    """
    if not libreoffice_available():
        raise DeckCheckError("LibreOffice (the `libreoffice` command) is not installed")
    pptx = Path(pptx).resolve()
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{pptx.stem}.pdf"
    if pdf.exists():
        pdf.unlink()  # never mistake an earlier conversion for this one
    profile = folder / ".libreoffice-profile"
    command = ["libreoffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(folder), str(pptx)]
    # A session of its own, so that a timeout ends soffice.bin too, not only the launcher.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        raise DeckCheckError(f"LibreOffice took more than {timeout:g} s to convert {pptx}") \
            from None
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise DeckCheckError(
            f"LibreOffice wrote no PDF for {pptx} (exit code {process.returncode})\n"
            f"stdout: {stdout.strip()}\nstderr: {stderr.strip()}")
    return pdf


def _pdftotext(*arguments: str) -> str:
    if not pdftotext_available():
        raise DeckCheckError("poppler's pdftotext is not installed")
    result = subprocess.run(["pdftotext", *arguments], capture_output=True, timeout=120)
    if result.returncode != 0:
        raise DeckCheckError(f"pdftotext {' '.join(arguments)} failed: "
                             f"{result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode("utf-8", errors="replace")


def _page_texts(pdf: Path, mode: str) -> list[str]:
    """The text of every page in `mode` ("-layout" or "-raw"). pdftotext ends each page with a
    form feed, so one run splits into the pages `pdftotext -f N -l N` would give one by one."""
    text = _pdftotext(mode, "-enc", "UTF-8", str(pdf), "-")
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


# ---------------------------------------------------------------- words

# Characters that separate words (besides whitespace): dashes and hyphens (Unicode category Pd,
# so a compound such as "in-house" counts as "in" and "house", and wrapping after its hyphen is
# no break), slashes, bars, middle dots and bullets, and every mathematical or other symbol
# (Sm, So: the arrows and signs a deck uses, → ↺ ⚙ △, which the PDF may draw with a fallback
# font and pdftotext may place apart from their neighbours).
_SEPARATING = set("/\\|·•‧∙⋅")
_SEPARATING_CATEGORIES = {"Pd", "Sm", "So", "Zs", "Zl", "Zp", "Cc"}
# Punctuation stripped from both ends of a word, except the signs that carry meaning in a deck's
# figures ("95%", "%C&A", "#3", "@team").
_KEPT_PUNCTUATION = set("%&#@")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"',
                         "″": '"'})


def normalise_words(text: str) -> list[str]:
    """The words of `text` as the checks compare them, in order.

    NFKC (ligatures such as "ﬁ" become "fi"; the non-breaking space U+00A0, the narrow and thin
    spaces become plain spaces), format characters dropped (soft hyphen, zero-width spaces),
    split at whitespace, dashes/hyphens, slashes, middle dots and symbols, surrounding
    punctuation stripped except % & # @, casefolded; words with fewer than two letters or digits
    are left out. So "PT\u00a01h\u00a030m · %C&A 95%" gives ["pt", "1h", "30m", "%c&a", "95%"],
    the same on the slide and on the page.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    characters = []
    for character in text:
        category = unicodedata.category(character)
        if category == "Cf":
            continue
        if character in _SEPARATING or category in _SEPARATING_CATEGORIES or character.isspace():
            characters.append(" ")
        else:
            characters.append(character)
    words = []
    for chunk in "".join(characters).split():
        start, end = 0, len(chunk)
        while start < end and _stripped(chunk[start]):
            start += 1
        while end > start and _stripped(chunk[end - 1]):
            end -= 1
        word = chunk[start:end].casefold()
        if sum(character.isalnum() for character in word) >= 2:
            words.append(word)
    return words


def _stripped(character: str) -> bool:
    return unicodedata.category(character).startswith("P") and character not in _KEPT_PUNCTUATION


def _hidden(element: Any) -> bool:
    """Whether a shape or group is hidden (`p:cNvPr@hidden` in its non-visual properties)."""
    properties = element.find(f"*/{qn('p:cNvPr')}")
    return properties is not None and properties.get("hidden") in ("1", "true")


def slide_text(slide: Any) -> list[str]:
    """The texts a slide shows: every visible shape's text frame (group members included) and
    every table cell; not the speaker notes, not charts."""
    texts = []
    for shape in walk_shapes(slide.shapes):
        if _hidden(shape._element) or any(_hidden(group) for group in groups_around(shape._element)):
            continue
        if getattr(shape, "has_chart", False):
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            texts.append(shape.text_frame.text)
    return texts


def _visible_slides(presentation: Any) -> list[tuple[int, Any]]:
    """(1-based slide number, slide) of the slides LibreOffice exports: hidden ones are left
    out of the PDF, so page k is the k-th visible slide."""
    return [(number, slide) for number, slide in enumerate(presentation.slides, 1)
            if slide._element.get("show") not in ("0", "false")]


def broken_words(pptx: Path, pdf: Path) -> list[tuple[int, str]]:
    """(slide number, word) for every word a slide holds that its rendered page does not show
    whole, in slide order.

    A slide word is whole when the page's text (pdftotext `-layout` or `-raw`, the larger count
    of the two) holds it as a word, normalised alike (`normalise_words`), at least as often as
    the slide does. A word wrapped mid-word ("acknowle" / "dge") or clipped is therefore broken;
    a compound wrapped after its hyphen or slash is not (its parts are the words). A word
    repeated on the slide is reported once.
    """
    slides = _visible_slides(Presentation(str(pptx)))
    layout = _page_texts(Path(pdf), "-layout")
    raw = _page_texts(Path(pdf), "-raw")
    if len(layout) != len(slides) or len(raw) != len(slides):
        raise DeckCheckError(f"{pdf} has {len(layout)} pages for {len(slides)} visible slides")
    broken = []
    for (number, slide), layout_text, raw_text in zip(slides, layout, raw):
        shown = Counter(normalise_words(layout_text)) | Counter(normalise_words(raw_text))
        wanted = Counter()
        for text in slide_text(slide):
            wanted.update(normalise_words(text))
        broken.extend((number, word) for word, count in wanted.items() if shown[word] < count)
    return broken


# ---------------------------------------------------------------- overlapping words


@dataclass(frozen=True)
class WordBox:
    """A rendered word and its box on the page, in points from the top left."""

    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def word_boxes(pdf: Path) -> list[WordBox]:
    """Every word pdftotext finds in `pdf` with its box (`pdftotext -bbox-layout`)."""
    text = _pdftotext("-bbox-layout", "-enc", "UTF-8", str(pdf), "-")
    # A glyph without a Unicode mapping may come out as a control character, which XML forbids.
    text = "".join(c for c in text if c >= " " or c in "\t\n\r")
    root = ET.fromstring(text)
    boxes = []
    pages = [element for element in root.iter() if element.tag.rsplit("}", 1)[-1] == "page"]
    for number, page in enumerate(pages, 1):
        for element in page.iter():
            if element.tag.rsplit("}", 1)[-1] != "word":
                continue
            boxes.append(WordBox(number, element.text or "", float(element.get("xMin")),
                                 float(element.get("yMin")), float(element.get("xMax")),
                                 float(element.get("yMax"))))
    return boxes


def overlapping_words(pdf: Path, tolerance: float = 0.5,
                      inset: float = 0.15) -> list[tuple[int, str, str]]:
    """(page, word, word) for every pair of rendered words whose boxes overlap by more than
    `tolerance` points both across and down, in reading order of the first word.

    pdftotext's word box spans the font's whole ascent and descent (1.3 em for Liberation Sans)
    while a paragraph's lines are set about 1.2 em apart, so the boxes of a word and the word
    under it overlap by some 0.1 em without any ink touching. The vertical test therefore uses
    each box with `inset` of its height taken off its top and its bottom (0.15: a band from
    about the ascender line to just below the baseline), which keeps lines of one paragraph
    apart down to a line spacing of about 0.9 em but still finds text set over text.

    Neighbours on one text line (sharing more than 80 % of the smaller full height) that overlap
    across by less than 1 pt are not reported: pdftotext's boxes of adjacent runs (a symbol from
    a fallback font next to a word, a kerned pair split into two words) touch like that.
    """
    reported = []
    by_page: dict[int, list[WordBox]] = {}
    for box in word_boxes(Path(pdf)):
        by_page.setdefault(box.page, []).append(box)
    for page, boxes in sorted(by_page.items()):
        ordered = sorted(boxes, key=lambda box: box.x0)
        for index, first in enumerate(ordered):
            for second in ordered[index + 1:]:
                if second.x0 >= first.x1 - tolerance:
                    break  # sorted by left edge: no later word reaches back into `first`
                across = min(first.x1, second.x1) - max(first.x0, second.x0)
                if across <= tolerance:
                    continue
                first_cut = inset * (first.y1 - first.y0)
                second_cut = inset * (second.y1 - second.y0)
                core = (min(first.y1 - first_cut, second.y1 - second_cut)
                        - max(first.y0 + first_cut, second.y0 + second_cut))
                if core <= tolerance:
                    continue
                down = min(first.y1, second.y1) - max(first.y0, second.y0)
                smaller = min(first.y1 - first.y0, second.y1 - second.y0)
                if down > 0.8 * smaller and across < 1.0:
                    continue
                a, b = sorted((first, second), key=lambda box: (box.y0, box.x0))
                reported.append((page, a.text, b.text, a.y0, a.x0))
    reported.sort(key=lambda item: (item[0], item[3], item[4]))
    return [(page, a, b) for page, a, b, _, _ in reported]


# ---------------------------------------------------------------- command line


def _report(deck: Path, folder: Path) -> dict[str, Any]:
    presentation = Presentation(str(deck))
    result: dict[str, Any] = {
        "slides": len(presentation.slides),
        "connectors through boxes": connectors_through_boxes(deck),
        "shapes outside the slide": shapes_outside_slide(deck),
    }
    if libreoffice_available() and pdftotext_available():
        pdf = render_pdf(deck, folder)
        result["broken words"] = broken_words(deck, pdf)
        result["overlapping words"] = overlapping_words(pdf)
    return result


def main(arguments: list[str]) -> int:
    """Measure each deck named in `arguments`; print a summary table and the findings."""
    if not arguments:
        print("usage: python -m tests.helpers.deck_checks DECK.pptx [DECK2.pptx ...]",
              file=sys.stderr)
        return 2
    keys = ("broken words", "overlapping words", "connectors through boxes",
            "shapes outside the slide")
    reports = {}
    with tempfile.TemporaryDirectory(prefix="deck-checks-") as temporary:
        for index, name in enumerate(arguments):
            deck = Path(name)
            reports[deck] = _report(deck, Path(temporary) / str(index))
    if not (libreoffice_available() and pdftotext_available()):
        print("(LibreOffice or pdftotext missing: rendered checks skipped)")
    width = max(len(deck.name) for deck in reports)
    header = f"{'deck':<{width}}  slides  " + "  ".join(keys)
    print(header)
    for deck, report in reports.items():
        cells = [f"{len(report[key]):>{len(key)}}" if key in report else f"{'-':>{len(key)}}"
                 for key in keys]
        print(f"{deck.name:<{width}}  {report['slides']:>6}  " + "  ".join(cells))
    for deck, report in reports.items():
        print(f"\n{deck}")
        for key in keys:
            for finding in report.get(key, []):
                print(f"  {key}: " + " | ".join(str(part) for part in finding))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

