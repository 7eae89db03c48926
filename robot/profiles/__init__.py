"""Supplier profiles: the YAML format, its validation and its errors (``file:line: field``)."""

from robot.profiles.loader import (
    batch_problems,
    expand,
    load_profile,
    load_profiles,
    secret_problems,
)
from robot.profiles.models import (
    Document,
    Financial,
    LegalRepresentative,
    Mailbox,
    Profile,
    Supplier,
    User,
)

__all__ = [
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
