"""Accounts as their holders use them: login and logout (lockout, server-side sessions),
two-factor sign-in (TOTP enrolment, the second step, recovery codes), the password policy
and expiry, changing one's password, one's account page and the
sign-in history (also read by the auditor), and the security officer's unlock."""
