"""Dashboards (统计分析, issue 11): a region's reductions, projects, archive and reports.

One page per region (the city, each district), for one year: confirmed reductions against
target per pollutant, the cumulative confirmed reduction by month against the target
trajectory, projects by type and by construction status, archive completeness and the
submission rate by district, overdue and stalled projects. Every number comes from the
scoped selects of :mod:`dispatch.access` summed in SQL (``queries``, ``archive``); the
ECharts options and their tables are built from them in ``charts`` and sent to the page
as a JSON data block that ``static/js/dashboards.js`` renders (the CSP allows no inline
script).
"""
