"""Web plumbing shared by every feature: security, templating, errors, pagination,
navigation, streaming downloads and the unit of work."""
