"""Print a report's HTML to PDF with WeasyPrint (the ``pdf`` extra), imported lazily."""

from __future__ import annotations

from pathlib import Path

from .build import ReportError


def write_pdf(html: str, path: Path) -> Path:
    """Render ``html`` (self-contained: no base URL is needed) to a PDF at ``path``."""
    try:
        import weasyprint
    except ImportError:
        raise ReportError(
            "a PDF is printed with WeasyPrint, which is not installed; "
            "install the extra: pip install 'realpolitik[pdf]'"
        ) from None
    except OSError as exc:  # WeasyPrint found, its system libraries (Pango) not
        raise ReportError(
            f"WeasyPrint cannot load its system libraries ({exc}); on Debian or Ubuntu: "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from None
    weasyprint.HTML(string=html).write_pdf(str(path))
    return path
