"""Settings read the environment one way: `env(name, default)`, typed like the default."""

from __future__ import annotations

from pathlib import Path

from performance_pme.settings.base import env


def test_values_are_typed_like_their_default(monkeypatch):
    monkeypatch.setenv("PME_TEST_INT", " 42 ")
    monkeypatch.setenv("PME_TEST_BOOL", "Yes")
    monkeypatch.setenv("PME_TEST_LIST", "6, 12,,36")
    monkeypatch.setenv("PME_TEST_PATH", "/srv/pme")
    monkeypatch.setenv("PME_TEST_FLOAT", "2.5")
    assert env("PME_TEST_INT", 60) == 42
    assert env("PME_TEST_BOOL", False) is True
    assert env("PME_TEST_LIST", [6]) == [6, 12, 36]
    assert env("PME_TEST_LIST", []) == ["6", "12", "36"]
    assert env("PME_TEST_PATH", Path("/tmp")) == Path("/srv/pme")
    assert env("PME_TEST_FLOAT", 2.0) == 2.5


def test_unset_or_blank_means_the_default(monkeypatch):
    monkeypatch.setenv("PME_TEST_BLANK", "  ")
    monkeypatch.delenv("PME_TEST_UNSET", raising=False)
    assert env("PME_TEST_BLANK", 587) == 587
    assert env("PME_TEST_UNSET", True) is True
    monkeypatch.setenv("PME_TEST_BOOL", "0")
    assert env("PME_TEST_BOOL", True) is False
