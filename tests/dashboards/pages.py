"""Reading the dashboard page: a chart's table."""

from __future__ import annotations

import lxml.html


def table(html: str, key: str) -> dict[str, list[str]]:
    """data-key → the cells' texts of the chart's table."""
    doc = lxml.html.fromstring(html)
    rows = doc.xpath(f"//table[@data-testid='table-{key}']/tbody/tr[@data-key]")
    return {r.get("data-key"): [c.text_content().strip() for c in r.xpath("th|td")] for r in rows}
