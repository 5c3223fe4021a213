"""Exports that combine features: the yearly package sent upward (national-export.md).

:mod:`~dispatch.exports.package` writes the package's parts (plan list, the year's latest
round, the accounting workbook, the evidence archive) into a zip or a folder; the web view
(:mod:`~dispatch.exports.views`) and ``dispatch export package`` both use it. Nothing else
imports this package, so it may import every feature it combines.
"""
