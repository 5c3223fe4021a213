"""Reductions in the system (issue 11): targets, confirmed accounting, the credit rule."""
