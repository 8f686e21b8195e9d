"""The report: one self-contained HTML file (and optionally a PDF) of a scenario's analysis.

``build_report(scenario, ...)`` runs what the report shows through the public API
(forecast, simulate, sensitivity, levers, the view from an actor) and returns a frozen
:class:`Report`; ``Report.html()`` renders it, ``Report.write(path)`` writes it and
``Report.write_pdf(path)`` prints the same HTML to PDF (WeasyPrint, the ``pdf`` extra).

The HTML has every style inline and its charts as inline SVG (matplotlib, the ``report``
extra): it makes no network request and needs no script, so it opens offline, mails as
one file and prints as it shows.
"""

from __future__ import annotations

from .build import DEFAULT_SPREAD, Report, ReportError, build_report

__all__ = ["DEFAULT_SPREAD", "Report", "ReportError", "build_report"]
