"""Markers that follow each ``<a>`` through trafilatura.

trafilatura drops link markup unless ``include_links`` is on, and turning it on changes which
text it keeps (link density). So each anchor's text is wrapped in printable Braille characters
that no article uses: START + two-character id … END. They survive trafilatura's cleaning and
tell which links ended up in the body and where. Where the anchor text allows it the markers
overwrite its first three and last characters instead of adding to them, so trafilatura's length
heuristics see the page as it is; ``restore`` puts the characters back.
"""

from __future__ import annotations

import re

from lxml import etree

START, END = "\u28ff", "\u28fe"
_BASE = 254  # id digits are U+2800..U+28FD
MAX_ANCHORS = _BASE * _BASE
ANY = re.compile("\u28ff[\u2800-\u28fd]{2}|\u28fe")
_OPEN = re.compile("\u28ff([\u2800-\u28fd]{2})")


def code(i: int) -> str:
    return START + chr(0x2800 + i // _BASE) + chr(0x2800 + i % _BASE)


def decode(digits: str) -> int:
    return (ord(digits[0]) - 0x2800) * _BASE + ord(digits[1]) - 0x2800


_NEUTRAL = re.compile(r"^(\s*)(\S{3})(.*\S)(\s*)$", re.S)


class Marking:
    """The markers put on one page's anchors, and the characters they stand in for."""

    def __init__(self, anchors) -> None:
        self.saved: list[tuple] = []
        self.heads: list[str] = []
        self.lasts: list[str] = []
        for i, a in enumerate(anchors[:MAX_ANCHORS]):
            self._mark(i, a)

    def _mark(self, i: int, a) -> None:
        last = a[-1] if len(a) else None
        self.saved.append((a, a.text, last, last.tail if last is not None else None))
        m = _NEUTRAL.match(a.text or "") if last is None else None
        if m:  # overwrite: same length as the original text
            self.heads.append(m.group(2))
            self.lasts.append(m.group(3)[-1])
            a.text = m.group(1) + code(i) + m.group(3)[:-1] + END + m.group(4)
            return
        self.heads.append("")
        self.lasts.append("")
        a.text = code(i) + (a.text or "")
        if last is None:
            a.text += END
        else:
            last.tail = (last.tail or "") + END

    def unmark(self) -> None:
        """Give the page back its own text."""
        for a, text, last, tail in self.saved:
            a.text = text
            if last is not None:
                last.tail = tail

    def restore(self, text: str, current: list) -> str:
        """``text`` with markers turned back into the characters they replaced.

        ``current`` is a one-item list holding the id of the open anchor across text slots."""
        def sub(m):
            token = m.group()
            if token == END:
                i = current[0]
                return self.lasts[i] if i is not None and i < len(self.lasts) else ""
            current[0] = decode(token[1:])
            return self.heads[current[0]] if current[0] < len(self.heads) else ""

        return ANY.sub(sub, text)


def kept_ids(tree) -> set[int]:
    found = set()
    for el in tree.iter():
        for s in (el.text, el.tail):
            if s and START in s:
                found.update(decode(d) for d in _OPEN.findall(s))
    return found


def restore(tree, marking: Marking) -> None:
    """Turn every marker of the tree back into the page's characters (document order)."""
    current = [None]
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        attr = "text" if event == "start" else "tail"
        value = getattr(el, attr)
        if value and (START in value or END in value):
            setattr(el, attr, marking.restore(value, current))


def cut_spans(tree, drop: set[int], blocks: set[str]) -> dict:
    """Delete the marked text of the anchors in ``drop``.

    Returns {block element: (removed chars, total chars)} so callers can drop blocks that were
    mostly such links. A span never runs past the end of its block, so a lost END cannot eat
    the article."""
    stats: dict = {}
    removing = False
    block_stack: list = []
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "start":
            if el.tag in blocks:
                block_stack.append(el)
                removing = False
            el.text, removing = _cut(el.text, drop, removing, stats, block_stack)
        else:
            if block_stack and block_stack[-1] is el:
                block_stack.pop()
                removing = False
            el.tail, removing = _cut(el.tail, drop, removing, stats, block_stack)
    return stats


def _cut(text, drop, removing, stats, block_stack):
    if not text:
        return text, removing
    out = []
    removed = total = 0
    pos = 0
    for m in ANY.finditer(text):
        piece = text[pos : m.start()]
        total += len(piece.strip())
        if removing:
            removed += len(piece.strip())
        else:
            out.append(piece)
        token = m.group()
        if token == END:
            if not removing:
                out.append(token)
            removing = False
        elif decode(token[1:]) in drop:
            removing = True
        else:
            out.append(token)
        pos = m.end()
    tail = text[pos:]
    total += len(tail.strip())
    if removing:
        removed += len(tail.strip())
    else:
        out.append(tail)
    if block_stack:
        r, t = stats.get(block_stack[-1], (0, 0))
        stats[block_stack[-1]] = (r + removed, t + total)
    return "".join(out), removing
