"""Shared test set-up. Fixtures live in tests/fixtures/<area>.py, loaded as plugins."""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "tests.fixtures.mail",
    "tests.fixtures.portal",
    "tests.fixtures.browser",
    "tests.fixtures.documents",
]


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's secop-robot settings or secrets."""
    for name in list(os.environ):
        if name.startswith("SECOP_"):
            monkeypatch.delenv(name, raising=False)
