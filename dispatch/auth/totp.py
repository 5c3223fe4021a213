"""TOTP (RFC 6238) codes, the sealing of secrets at rest, recovery codes and the QR code.

No hand-written cryptography: codes are pyotp's, the QR code is segno's (rendered here as
a PNG data URI, no external service), the sealing is AES-256-GCM from pycryptodome (already
installed for the MinIO SDK) under a key derived with HKDF-SHA256 from the app's secret
key. A database dump or a backup therefore holds no usable secret without the app's key;
the user's id is the associated data, so a sealed secret copied onto another account does
not open. Changing ``DISPATCH_SECRET_KEY`` makes every sealed secret unreadable: those
users' codes are refused and the security officer resets their two-factor (they enrol
again).

Everything here is given the time; nothing reads the clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import secrets

import pyotp
import segno
from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF

ISSUER = "减排调度"
DIGITS = 6
INTERVAL = 30  # seconds per time step (RFC 6238's default, what every authenticator uses)
# Codes of the step before and after the current one are accepted too (clock drift).
WINDOW = 1
RECOVERY_CODE_COUNT = 10
# 32 symbols without look-alikes (no 0/o, 1/l/i): 8 of them are 40 bits.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 8
_SEAL_VERSION = "v1"
_NONCE_BYTES = 12


class SealError(ValueError):
    """A sealed secret that does not open (another key, or tampered with)."""


class SecretBox:
    """Seals and opens TOTP secrets with a key derived from the app's secret key."""

    def __init__(self, app_secret: str) -> None:
        self._key = HKDF(
            app_secret.encode(), 32, b"dispatch-two-factor", SHA256, context=b"totp-secret v1"
        )

    def seal(self, secret: str, user_id: int) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce)
        cipher.update(str(user_id).encode())
        body, tag = cipher.encrypt_and_digest(secret.encode())
        return f"{_SEAL_VERSION}:" + base64.urlsafe_b64encode(nonce + body + tag).decode()

    def open(self, sealed: str, user_id: int) -> str:
        version, _, payload = sealed.partition(":")
        try:
            if version != _SEAL_VERSION:
                raise ValueError(version)
            raw = base64.urlsafe_b64decode(payload.encode())
            nonce, body, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-16], raw[-16:]
            cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce)
            cipher.update(str(user_id).encode())
            return cipher.decrypt_and_verify(body, tag).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise SealError("sealed secret does not open") from exc


def new_secret() -> str:
    """A fresh base32 secret (160 bits, RFC 4226's recommendation)."""
    return pyotp.random_base32(32)


def time_step(at: dt.datetime) -> int:
    return int(at.timestamp()) // INTERVAL


def matching_step(secret: str, code: str, at: dt.datetime) -> int | None:
    """The time step within the window whose code ``code`` is, or ``None``."""
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = time_step(at)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=username, issuer_name=ISSUER
    )


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as a PNG data URI (the CSP allows ``data:`` images)."""
    return segno.make(uri, error="m").png_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes() -> list[str]:
    """Ten fresh codes, shown as ``xxxx-xxxx``."""
    return [
        "-".join(
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH // 2))
            for _ in range(2)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def normalise_recovery_code(typed: str) -> str:
    """What is compared: lower case, without spaces and hyphens ("ABCD EFGH" = "abcd-efgh")."""
    return "".join(c for c in typed.lower() if c not in " -")


def looks_like_totp(typed: str) -> bool:
    """Six digits are a TOTP code; anything else is tried as a recovery code."""
    stripped = typed.replace(" ", "")
    return len(stripped) == DIGITS and stripped.isascii() and stripped.isdigit()
