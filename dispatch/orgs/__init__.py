"""Organisations and accounts: regions, enterprises and users (services used by admin and CLI)."""
