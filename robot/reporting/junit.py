"""``junit.xml`` for CI systems: one test case per supplier; a failed supplier is a
``<failure>``, a parked one a ``<failure type="parked">`` (a person must act), one stopped
or not yet run is ``<skipped>``. Written with the standard library's ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from robot.ledger import ACCESS_REQUESTED, FAILED, ONBOARDED, PARKED, Ledger
from robot.reporting.build import clean

JUNIT_NAME = "junit.xml"


def junit_xml(ledger: Ledger) -> str:
    records = ledger.suppliers()
    suite = ET.Element("testsuite", name="secop-robot")
    failures = skipped = 0
    total_time = 0.0
    for r in records:
        duration = 0.0
        if r.started_at is not None and r.ended_at is not None:
            duration = max(r.ended_at - r.started_at, 0.0)
        total_time += duration
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"secop-robot.{clean(r.nit)}",
            name=f"{clean(r.legal_name)} ({clean(r.nit)})",
            file=clean(r.profile),
            time=f"{duration:.3f}",
        )
        reason = clean(r.reason)
        if r.status in (FAILED, PARKED):
            failures += 1
            failure = ET.SubElement(case, "failure", message=reason, type=r.status)
            failure.text = reason
        elif r.status not in (ONBOARDED, ACCESS_REQUESTED):
            skipped += 1
            ET.SubElement(case, "skipped", message=reason or r.status)
        lines = [
            f"{name}: {step.status} ({step.attempts})"
            + (f" {clean(step.message)}" if step.message else "")
            for name, step in ledger.steps(r.key).items()
        ]
        if lines:
            ET.SubElement(case, "system-out").text = "\n".join(lines)
    suite.set("tests", str(len(records)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    suite.set("time", f"{total_time:.3f}")
    root = ET.Element("testsuites", name="secop-robot")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
