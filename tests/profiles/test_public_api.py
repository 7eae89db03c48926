"""The public surface other parts use stays put."""

from __future__ import annotations

import robot.profiles


def test_exported_members() -> None:
    assert sorted(robot.profiles.__all__) == [
        "Document",
        "Financial",
        "LegalRepresentative",
        "Mailbox",
        "Profile",
        "Supplier",
        "User",
        "batch_problems",
        "expand",
        "load_profile",
        "load_profiles",
        "secret_problems",
    ]
    for name in robot.profiles.__all__:
        assert getattr(robot.profiles, name) is not None


def test_mailbox_receives() -> None:
    box = robot.profiles.Mailbox(
        host="h", port=993, user="u", password="${X}", address="tramites@consultora.com.co"
    )
    assert box.receives("Tramites+acme-admin@consultora.com.co") is True
    assert box.receives("tramites@otra.com.co") is False
    assert box.receives("otro+tramites@consultora.com.co") is False
    catch_all = robot.profiles.Mailbox(
        host="h", port=143, user="u", password="${X}", catch_all_domain="proveedores.test"
    )
    assert catch_all.receives("cualquiera@proveedores.test") is True
    bare = robot.profiles.Mailbox(host="h", port=993, user="u", password="${X}")
    assert bare.receives("x@y.test") is None
