"""RFC 6238 (and so RFC 4226) test vectors, the acceptance window, and the sealed secret."""

import pytest

from app.services import totp

SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890" * 6 + b"1234",
}
# RFC 6238 appendix B: time, then the 8-digit code for SHA-1, SHA-256 and SHA-512.
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
# RFC 4226 appendix D: HOTP of the SHA-1 seed for counters 0..9.
HOTP = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871"]


@pytest.mark.parametrize(("when", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc_6238_vectors(when, sha1, sha256, sha512):
    for digest, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        assert totp.totp(SEEDS[digest], when, digits=8, digest=digest) == expected


def test_rfc_4226_vectors():
    assert [totp.hotp(SEEDS["sha1"], counter) for counter in range(9)] == HOTP


def test_a_code_is_accepted_one_step_either_side_and_each_step_once():
    key = SEEDS["sha1"]
    now = 1111111111
    step = totp.time_step(now)
    for offset in (-1, 0, 1):
        code = totp.hotp(key, step + offset)
        assert totp.matching_step(key, code, now) == step + offset
    assert totp.matching_step(key, totp.hotp(key, step + 2), now) is None
    assert totp.matching_step(key, totp.hotp(key, step), now, after=step) is None
    assert totp.matching_step(key, "12 34 5", now) is None
    assert totp.matching_step(key, "abcdef", now) is None


def test_the_secret_is_sealed_and_tampering_is_noticed():
    secret = totp.new_secret()
    sealed = totp.seal(secret)
    assert secret not in sealed and totp.seal(secret) != sealed  # a fresh nonce each time
    assert totp.unseal(sealed) == secret
    flipped = sealed[:30] + ("A" if sealed[30] != "A" else "B") + sealed[31:]
    assert totp.unseal(flipped) is None
    assert totp.unseal("not base64 at all!") is None
    assert len(totp.secret_bytes(secret)) == totp.SECRET_BYTES


def test_the_provisioning_uri_names_the_issuer_and_account():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "shiju")
    assert uri.startswith("otpauth://totp/")
    assert "secret=JBSWY3DPEHPK3PXP" in uri and "shiju" in uri and "period=30" in uri


def test_recovery_codes_are_distinct_and_their_digest_ignores_spacing():
    codes = {totp.new_recovery_code() for _ in range(50)}
    assert len(codes) == 50
    code = next(iter(codes))
    assert totp.recovery_digest(code) == totp.recovery_digest(f" {code.upper().replace('-', '')} ")
