"""Tunable numbers from ``audit/defaults.toml``, read once per process."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def _all() -> dict:
    return tomllib.loads(resources.files("audit").joinpath("defaults.toml").read_text("utf-8"))


def section(name: str) -> dict:
    """One ``[name]`` table of defaults.toml (empty when absent)."""
    return dict(_all().get(name, {}))
