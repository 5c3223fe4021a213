"""Accounts: login, logout, password change, server-side sessions."""
