"""Tests of dispatch.web: the unit of work and concurrent saves."""
