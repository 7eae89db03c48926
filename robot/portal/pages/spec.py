"""What a page object relies on, declared once: the page objects' methods read these constants
and ``secop-robot probe`` walks them against the live portal (docs/probe.md).

A :class:`Control` is a form control or button the robot finds by its label (or by its id when
``id`` is set), of a given kind, with the option values it may choose. A :class:`PageSpec` is
one page the probe can open without creating anything: its path, its title, its controls and
the ids (markers) the robot reads on it. Pages behind a login (the supplier form of a test
account and its lupa pop-ups) also list the id prefixes of what shows the draft's own data
(``volatile``: UNSPSC rows, uploaded files), left out of the fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Control:
    """One control the robot relies on."""

    label: str  # the label without the red asterisk (a button: its accessible name)
    kind: str  # text | password | email | tel | search | date | select | checkbox | radio | file
    #            | button
    id: str = ""  # set when the robot finds it by this id rather than by its label
    options: tuple[str, ...] = ()  # option values the robot may choose (selects)
    always: bool = True  # False: filled only when the profile has a value


@dataclass(frozen=True)
class PageSpec:
    """One page as the robot sees it."""

    key: str  # the fingerprint's file name (robot/portal/fingerprints/<key>.json)
    title: str  # its <title> before " - SECOP II"
    path: str  # where the probe opens it
    controls: tuple[Control, ...]
    markers: tuple[str, ...] = ()  # element ids the robot reads, always in the page
    optional: tuple[str, ...] = ()  # ids of controls the robot handles when they appear
    volatile: tuple[str, ...] = ()  # id prefixes of elements that show the account's own data

    def control(self, label: str) -> Control:
        for c in self.controls:
            if c.label == label:
                return c
        raise KeyError(f"{self.key}: no control labelled {label!r}")
