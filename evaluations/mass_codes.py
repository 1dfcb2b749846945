"""One-time ballot codes: drawn, written for people, checked, hashed (see ``mass_models`` for the design).

A code is 130 random bits written as 26 Crockford base-32 characters (digits and capitals without I, L,
O, U), followed by two check characters so that a mistyped code is told apart from an unknown one, and
shown in groups of four: ``K7QM-2XHD-9PWA-…``. Reading is forgiving: case, spaces, dashes and the look-alike
letters O (→ 0) and I, L (→ 1) do not matter. Only ``digest(code)`` is ever stored.

The slip's QR code carries the address of the ballot page with the code in the fragment
(``https://…/v/#K7QM2XHD…``): browsers do not send the fragment to the server, so the code never
appears in a URL the server logs; the page's script moves it into the form it posts.
"""

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
BITS = 130  # ≥ 128 bits of randomness
BODY = 26  # characters carrying the random bits (26 × 5 = 130)
CHECK = 2
LENGTH = BODY + CHECK
GROUP = 4
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _check(body):
    digest = hashlib.sha256(("ballot:" + body).encode()).digest()
    return ALPHABET[digest[0] % 32] + ALPHABET[digest[1] % 32]


def new_code():
    """A fresh code, without separators (28 characters)."""
    number = secrets.randbits(BITS)
    body = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(BODY))
    return body + _check(body)


def normalize(text):
    """The code as stored and hashed: capitals, no separators, look-alikes mapped; "" when it is not a code."""
    code = "".join((text or "").split()).replace("-", "").upper().translate(LOOK_ALIKES)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return ""
    return code


def well_formed(code):
    """Whether a normalized code's check characters fit its body (a typing mistake otherwise)."""
    return bool(code) and _check(code[:BODY]) == code[BODY:]


def digest(code):
    return hashlib.sha256(code.encode()).hexdigest()


def grouped(code):
    """The code as printed: groups of four characters joined by dashes."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def ballot_url(code):
    """The slip's link: the ballot page with the code in the fragment (ASCII only, safe for a QR code)."""
    return f"{settings.SITE_URL}{reverse('evaluations:mass_ballot')}#{code}"
