"""An OAuth issuer for tests: keys generated per run (python3-cryptography),
their JWKS, and signed JWT access tokens. No key is ever written to the
repository.

    issuer = TestIssuer("https://idp.test", "mailroom")
    issuer.write_config(directory)     # oauth.d/test.conf + test.jwks
    token = issuer.token("alice@example.com")
"""

import base64
import json
import os
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(value, length=None):
    length = length or (value.bit_length() + 7) // 8
    return value.to_bytes(length, "big")


class SigningKey:
    """An RS256 or ES256 key with its public JWK."""

    def __init__(self, kid, alg="RS256"):
        self.kid = kid
        self.alg = alg
        if alg == "RS256":
            self.private = rsa.generate_private_key(65537, 2048)
            numbers = self.private.public_key().public_numbers()
            self.jwk = {"kty": "RSA", "kid": kid, "use": "sig",
                        "n": b64url(_int_bytes(numbers.n)),
                        "e": b64url(_int_bytes(numbers.e))}
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            numbers = self.private.public_key().public_numbers()
            self.jwk = {"kty": "EC", "crv": "P-256", "kid": kid,
                        "x": b64url(_int_bytes(numbers.x, 32)),
                        "y": b64url(_int_bytes(numbers.y, 32))}

    def sign(self, data):
        if self.alg == "RS256":
            return self.private.sign(data, padding.PKCS1v15(),
                                     hashes.SHA256())
        r, s = decode_dss_signature(
            self.private.sign(data, ec.ECDSA(hashes.SHA256())))
        return _int_bytes(r, 32) + _int_bytes(s, 32)


class TestIssuer:
    def __init__(self, issuer, audience, alg="RS256"):
        self.issuer = issuer
        self.audience = audience
        self.key = SigningKey("key-1", alg)
        self.jwks_path = None

    def write_config(self, directory, strip_domains="example.com",
                     scope="openid email",
                     discovery="https://idp.test/.well-known/openid-configuration"):
        os.makedirs(directory, exist_ok=True)
        self.jwks_path = os.path.join(directory, "test.jwks")
        self.publish(self.key)
        with open(os.path.join(directory, "test.conf"), "w") as f:
            f.write("issuer = %s\naudience = %s\njwks = test.jwks\n"
                    "user_claim = email\nstrip_domains = %s\nscope = %s\n"
                    "openid_configuration = %s\n" %
                    (self.issuer, self.audience, strip_domains, scope,
                     discovery))
        return directory

    def publish(self, *keys):
        """Rewrites the JWKS file (atomically) with these keys."""
        tmp = self.jwks_path + ".new"
        with open(tmp, "w") as f:
            json.dump({"keys": [k.jwk for k in keys]}, f)
        os.replace(tmp, self.jwks_path)

    def token(self, email, key=None, **overrides):
        key = key or self.key
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience, "email": email,
                  "sub": email, "iat": now, "exp": now + 600}
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        header = {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        return signing_input + "." + b64url(key.sign(signing_input.encode()))


def oauthbearer(token, authzid="", host="localhost", port=993):
    """An RFC 7628 client response."""
    gs2 = "n,a=%s," % authzid if authzid else "n,,"
    return ("%s\x01host=%s\x01port=%d\x01auth=Bearer %s\x01\x01" %
            (gs2, host, port, token)).encode()


def xoauth2(user, token):
    return ("user=%s\x01auth=Bearer %s\x01\x01" % (user, token)).encode()
