"""What people see of a run: the live progress display while a batch runs, and the report
written into its output folder (``index.html`` and one page per supplier for reviewers,
``results.json`` and ``junit.xml`` for CI), every secret masked.

- :mod:`robot.reporting.context`: one typed context per template, built from the ledger;
- :mod:`robot.reporting.render`: Jinja2 (autoescape, StrictUndefined), atomic writes;
- :mod:`robot.reporting.junit`: ``junit.xml``;
- :mod:`robot.reporting.images`: milestone screenshots (compressed, password fields masked);
- :mod:`robot.reporting.traces`: Playwright traces of failed steps, kept only without secrets;
- :mod:`robot.reporting.progress`: the live display (rich) or plain lines.
"""

from __future__ import annotations

from robot.reporting.render import INDEX_NAME, render_report

__all__ = ["INDEX_NAME", "render_report"]
