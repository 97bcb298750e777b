"""One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238), and the secret's sealing.

The TOTP secret is stored sealed (``seal``/``unseal``): a keystream of HMAC-SHA256 blocks under a
key derived from ``CUNQI_SECRET_KEY``, and an HMAC-SHA256 tag over the nonce and the ciphertext
(encrypt-then-MAC). A database copy without the secret key yields neither the secrets nor codes.
"""

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

from app.config import get_settings

STEP_SECONDS = 30
DIGITS = 6
# Codes one step either side of now are accepted: phone clocks drift.
WINDOW = 1
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation for SHA-1
NONCE_BYTES = 16
TAG_BYTES = 32
ISSUER = "村企通"


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 section 5.3: the HMAC of the counter, dynamically truncated."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def time_step(unix_time: float, *, step: int = STEP_SECONDS) -> int:
    return int(unix_time // step)


def totp(key: bytes, unix_time: float, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 6238: HOTP of the number of 30-second steps since the Unix epoch."""
    return hotp(key, time_step(unix_time), digits=digits, digest=digest)


def matching_step(key: bytes, code: str, unix_time: float, *, after: int = -1) -> int | None:
    """The time step (within ``WINDOW`` of now, and later than ``after``) whose code is ``code``.

    ``after`` is the step last accepted for this secret: a code is good once (RFC 6238 5.2).
    """
    code = normalise_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = time_step(unix_time)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if step > after and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "")


def new_secret() -> str:
    """A fresh secret in base32 (what authenticator apps take), without padding."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def secret_bytes(secret_b32: str) -> bytes:
    padded = secret_b32 + "=" * (-len(secret_b32) % 8)
    return base64.b32decode(padded, casefold=True)


def provisioning_uri(secret_b32: str, account: str) -> str:
    """The ``otpauth://`` address the QR code carries (Google Authenticator's key-uri format)."""
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {"secret": secret_b32, "issuer": ISSUER, "digits": DIGITS, "period": STEP_SECONDS},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


# Sealing ---------------------------------------------------------------------------------------


def _key(purpose: bytes) -> bytes:
    secret = get_settings().secret_key.encode("utf-8")
    return hmac.new(secret, b"cunqi-totp-" + purpose, hashlib.sha256).digest()


def _keystream(nonce: bytes, length: int) -> bytes:
    key = _key(b"encrypt")
    blocks = (length + 31) // 32
    stream = b"".join(
        hmac.new(key, nonce + struct.pack(">I", i), hashlib.sha256).digest() for i in range(blocks)
    )
    return stream[:length]


def seal(secret_b32: str) -> str:
    """The secret encrypted and authenticated, as URL-safe base64 (for the database column)."""
    plain = secret_b32.encode("ascii")
    nonce = secrets.token_bytes(NONCE_BYTES)
    cipher = bytes(a ^ b for a, b in zip(plain, _keystream(nonce, len(plain)), strict=True))
    tag = hmac.new(_key(b"mac"), nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + cipher + tag).decode("ascii")


def unseal(sealed: str) -> str | None:
    """The secret, or None when the value was altered or sealed under another secret key."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    if len(raw) <= NONCE_BYTES + TAG_BYTES:
        return None
    nonce, cipher, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    expected = hmac.new(_key(b"mac"), nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        return None
    plain = bytes(a ^ b for a, b in zip(cipher, _keystream(nonce, len(cipher)), strict=True))
    return plain.decode("ascii")


def recovery_digest(code: str) -> str:
    """A recovery code's stored form: keyed SHA-256 (the codes are random, 50 bits each)."""
    normal = normalise_code(code).lower()
    return hmac.new(_key(b"recovery"), normal.encode("utf-8"), hashlib.sha256).hexdigest()


RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_recovery_code() -> str:
    """Ten characters shown as ``xxxxx-xxxxx`` (about 50 bits)."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"
