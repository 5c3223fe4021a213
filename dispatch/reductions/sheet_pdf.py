"""The calculation sheet as a PDF: the sheet's HTML template rendered by WeasyPrint.

The same templates as the printable page (``reductions/sheet_document.html`` and its body)
and the same stylesheet (``static/css/sheet.css``), through a Jinja environment of their
own: rendering happens inside the confirmation's unit of work, from a service, with no
request or app needed. The CJK text is set in the system's Noto CJK fonts
(``fonts-noto-cjk``, installed by scripts/install-system-deps.sh); WeasyPrint embeds the
subset of glyphs used, so the PDF reads the same on any machine.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from dispatch.reductions.sheet import Sheet

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STYLESHEET = PACKAGE.parent / "static" / "css" / "sheet.css"
DOCUMENT = "reductions/sheet_document.html"
CONTENT_TYPE = "application/pdf"


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def html(sheet: Sheet) -> str:
    """The sheet as a standalone HTML document (what the PDF is made from)."""
    return _environment().get_template(DOCUMENT).render(sheet=sheet)


def render(sheet: Sheet) -> bytes:
    """The sheet as PDF bytes (a few hundred KB at most: one or two A4 pages)."""
    # Imported here: WeasyPrint loads pango and its fonts, which only confirming needs,
    # not every start of the app or of a command.
    import weasyprint

    document = weasyprint.HTML(string=html(sheet), base_url=str(TEMPLATES))
    pdf = document.write_pdf(stylesheets=[weasyprint.CSS(filename=str(STYLESHEET))])
    assert pdf is not None  # write_pdf without a target returns the bytes
    return pdf
