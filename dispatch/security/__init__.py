"""The security officer's area (安全管理员, 三员分立): accounts' lock state and unlocking,
and the password, lockout and session policy in force. Two-factor resets belong here too.
"""
