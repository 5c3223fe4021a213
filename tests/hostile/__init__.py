"""Regression tests for the hostile-input findings (issue 8), one module per area."""
