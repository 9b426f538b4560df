"""Cut an article's text into paragraphs of plain and claim segments, for highlighting.

Claims carry character offsets into the article text. A claim whose offsets do not match its
sentence (the text changed under it) is looked up by its sentence instead; one that cannot be
found is left out of the body and listed beside it. The template escapes every segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Segment:
    text: str
    claim: int | None = None
    """Index of the claim (in the list given to ``paragraphs``) this segment belongs to."""


def _fold(text: str) -> str:
    return " ".join(text.split())


def locate(text: str, claims: list[dict]) -> list[tuple[int, int, int]]:
    """Non-overlapping (start, end, claim index) spans, in text order."""
    spans = []
    for i, claim in enumerate(claims):
        start, end, sentence = claim.get("start"), claim.get("end"), claim.get("sentence") or ""
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
                and _fold(text[start:end]) == _fold(sentence)):
            start = text.find(sentence) if sentence else -1
            end = start + len(sentence)
        if start >= 0 and end > start:
            spans.append((start, end, i))
    spans.sort()
    placed, last_end = [], 0
    for start, end, i in spans:
        if start >= last_end:
            placed.append((start, end, i))
            last_end = end
    return placed


def paragraphs(text: str, claims: list[dict]) -> tuple[list[list[Segment]], set[int]]:
    """The text as paragraphs of segments, and the indexes of the claims placed in it."""
    segments: list[Segment] = []
    cursor = 0
    placed = locate(text, claims)
    for start, end, i in placed:
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], i))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    result: list[list[Segment]] = [[]]
    for segment in segments:
        pieces = _PARAGRAPH_BREAK.split(segment.text)
        for n, piece in enumerate(pieces):
            if n:
                result.append([])
            if piece:
                result[-1].append(Segment(piece, segment.claim))
    return [p for p in result if any(s.text.strip() for s in p)], {i for _, _, i in placed}
