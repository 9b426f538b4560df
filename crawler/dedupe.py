"""Near-duplicate posts: a 64-bit simhash over word shingles of the article body, and an index.

Two bodies whose simhashes differ in at most ``MAX_DISTANCE`` bits are near-duplicates (random texts differ in about 32) (the same
post republished with a changed date line, a tracking snippet or a trimmed paragraph). The index
splits each hash into ``MAX_DISTANCE + 1`` bands: two hashes within the distance agree exactly on
at least one band (pigeonhole), so a lookup only compares the few hashes sharing a band.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

BITS = 64
MAX_DISTANCE = 6
SHINGLE = 3
#: Bodies shorter than this many words are not fingerprinted (too little text to tell).
MIN_WORDS = 40
WORD_RE = re.compile(r"\w+", re.UNICODE)
_BANDS = MAX_DISTANCE + 1
_BAND_BITS = BITS // _BANDS
_BAND_MASK = (1 << _BAND_BITS) - 1


_WORD_HASHES: dict[str, int] = {}
_MASK = (1 << 64) - 1
_MUL = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))


def _word_hash(word: str) -> int:
    value = _WORD_HASHES.get(word)
    if value is None:
        value = int.from_bytes(hashlib.blake2b(word.encode("utf-8", "replace"), digest_size=8).digest(), "big")
        if len(_WORD_HASHES) < 500_000:
            _WORD_HASHES[word] = value
    return value


def simhash(text: str) -> int | None:
    """The body's 64-bit simhash, or None when the body is too short to fingerprint.

    Features are the distinct word 3-shingles; a shingle's hash mixes its words' stable 64-bit
    hashes (blake2b, cached per word) with odd multipliers, so the value is the same in every process.
    """
    words = WORD_RE.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    h = np.fromiter((_word_hash(w) for w in words), dtype=np.uint64, count=len(words))
    with np.errstate(over="ignore"):
        shingles = h[:-2] * _MUL[0] + (h[1:-1] ^ (h[1:-1] >> np.uint64(29))) * _MUL[1] + h[2:]
        shingles ^= shingles >> np.uint64(31)
        shingles *= _MUL[0]
        shingles ^= shingles >> np.uint64(29)
    features = np.unique(shingles)
    # One row of 64 bits per feature (most significant bit first); a bit of the simhash is set
    # when more than half of the features have it set.
    bits = np.unpackbits(features.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)
    majority = bits.sum(axis=0) * 2 > len(features)
    return int("".join("1" if b else "0" for b in majority), 2)


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def to_hex(value: int) -> str:
    return f"{value:016x}"


class NearDuplicateIndex:
    """Simhashes of stored posts, keyed by canonical URL, with banded lookup."""

    def __init__(self) -> None:
        self._bands: list[dict[int, list[tuple[int, str]]]] = [{} for _ in range(_BANDS)]
        self._by_key: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._by_key)

    def add(self, key: str, value: int) -> None:
        if self._by_key.get(key) == value:
            return
        self._by_key[key] = value
        for band in range(_BANDS):
            part = (value >> (band * _BAND_BITS)) & _BAND_MASK
            self._bands[band].setdefault(part, []).append((value, key))

    def find(self, key: str, value: int) -> str | None:
        """The key of a near-duplicate stored under another key, if any."""
        best: tuple[int, str] | None = None
        for band in range(_BANDS):
            part = (value >> (band * _BAND_BITS)) & _BAND_MASK
            for other, other_key in self._bands[band].get(part, ()):
                if other_key == key or self._by_key.get(other_key) != other:
                    continue
                d = distance(value, other)
                if d <= MAX_DISTANCE and (best is None or (d, other_key) < best):
                    best = (d, other_key)
        return best[1] if best else None
