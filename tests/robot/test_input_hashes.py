"""The ledger's input hashes follow what a profile says, not the shape of the models: a field
written out at its default value (or added to the models by a newer secop-robot, with a
default) does not make a resumed run see every profile as changed; a real change does."""

from __future__ import annotations

from pathlib import Path

from robot.flows.plan import _user_inputs, hashes
from robot.portal_rules import DEFAULT_LANGUAGE
from robot.profiles.loader import load_profile
from tests.robot.batch import derive_profile

PHASES = ["user", "account", "additional_users"]


def test_a_default_written_out_keeps_the_hashes_and_a_change_does_not(tmp_path: Path) -> None:
    path = derive_profile(tmp_path, "rodriguez-natural", "h1", "52600301")
    before = hashes(load_profile(path), PHASES)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("administrator:\n", f"administrator:\n  language: {DEFAULT_LANGUAGE}\n"),
        encoding="utf-8",
    )
    profile = load_profile(path)
    assert hashes(profile, PHASES) == before
    assert "language" not in _user_inputs(profile.administrator)  # a default is not an input
    path.write_text(text.replace("phone: 315 555 0404", "phone: 315 555 0405"), encoding="utf-8")
    changed = hashes(load_profile(path), PHASES)
    assert changed["admin.register"] != before["admin.register"]
    assert changed["documents"] == before["documents"]
