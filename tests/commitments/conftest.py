"""Fixtures of the commitment tests, on top of the suite-wide ``cast`` (tests/conftest.py).

``fx`` is the cast with a running campaign over the city (criteria 五个好 / 五带头, a carrier, the
fulfilment step not yet open) and ``committee_b``, a committee officer of town_b.
"""

import pytest

from portal.models import Role

from ..factories import UserFactory, grant
from .factories import make_campaign


@pytest.fixture
def fx(cast):
    cast.campaign = make_campaign(cast.city)
    cast.committee_b = grant(UserFactory(username="committee_b"), Role.COMMITTEE, cast.town_b)
    return cast
