"""Counting requests per client address in the shared cache, for the public forms (comments, ballots).

A fixed window per address: the first hit of a window creates a counter that expires with the
window, every hit increments it atomically (``cache.add`` + ``cache.incr``, atomic on Redis and on
the local-memory cache). With Redis as ``CACHES["default"]`` the limit holds across all web workers.

    COMMENTS = RateLimit("comment", 5, 600)  # 5 per 10 minutes
    if not COMMENTS.hit(request):
        ... answer 429, with COMMENTS.retry_after() in the Retry-After header

The address is ``REMOTE_ADDR``, as for the audit trail and the login lockout: behind a reverse proxy
the proxy must pass the client's address on (not its own). An IPv6 client counts per /64 network,
the block one subscriber line usually receives.
"""

import ipaddress
import time
from dataclasses import dataclass

from django.core.cache import cache


def client_address(request):
    """The client's address as counted: IPv4 as is, IPv6 as its /64 network."""
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return f"{ipaddress.ip_network(f'{address}/64', strict=False).network_address}/64"
    return str(address)


@dataclass(frozen=True)
class RateLimit:
    name: str  # what is counted, part of the cache key
    limit: int  # hits allowed per window
    period: int  # the window, in seconds

    def _window(self, now):
        return int(now // self.period)

    def key(self, request):
        return f"ratelimit:{self.name}:{client_address(request)}:{self._window(time.time())}"

    def hit(self, request):
        """Count one hit from ``request``'s address; True while the address is within the limit."""
        key = self.key(request)
        if cache.add(key, 1, timeout=self.period):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # the window expired between add and incr
                cache.add(key, 1, timeout=self.period)
                count = 1
        return count <= self.limit

    def retry_after(self):
        """Seconds until the current window ends (for the Retry-After header)."""
        now = time.time()
        return max(1, int((self._window(now) + 1) * self.period - now))
