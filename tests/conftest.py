"""Shared test fixtures. Area-specific fixtures live in plugin modules listed in ``pytest_plugins``."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["services"]  # Redis and PostgreSQL servers for the team-scale tests

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared, for tests that measure against it; skipped when the folder is not beside the repo."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not there: the shared measuring data is not beside this checkout")
    return SHARED
