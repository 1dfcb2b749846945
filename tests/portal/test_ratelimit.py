"""The rate limit per client address (portal/ratelimit.py), on the local-memory cache of the tests."""

import time

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory

from portal.ratelimit import RateLimit, client_address


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def request_from(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # the same line: counted together
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", "unknown"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_the_address_counted(address, counted_as):
    assert client_address(request_from(address)) == counted_as


def test_the_limit_holds_per_address_and_window():
    limit = RateLimit("test", 3, 60)
    start = time.time() // 60 * 60 + 1  # the beginning of a window
    with time_machine.travel(start, tick=False):
        assert [limit.hit(request_from("203.0.113.7")) for _n in range(4)] == [True, True, True, False]
        assert limit.hit(request_from("203.0.113.8"))
        assert limit.retry_after() == 59
    with time_machine.travel(start + 60, tick=False):
        assert limit.hit(request_from("203.0.113.7"))


def test_limits_with_different_names_count_apart():
    comments, lookups = RateLimit("a", 1, 60), RateLimit("b", 1, 60)
    request = request_from("203.0.113.7")
    assert comments.hit(request) and lookups.hit(request)
    assert not comments.hit(request) and not lookups.hit(request)


def test_a_counter_expired_between_add_and_incr_starts_again(monkeypatch):
    limit = RateLimit("test", 2, 60)
    request = request_from("203.0.113.7")
    limit.hit(request)
    added = []

    def add(key, value, timeout):
        added.append(key)
        return len(added) > 1  # the first add finds the key, then it expires before incr

    monkeypatch.setattr(cache, "add", add)
    monkeypatch.setattr(cache, "incr", lambda key: (_ for _ in ()).throw(ValueError(key)))
    assert limit.hit(request)
    assert len(added) == 2
