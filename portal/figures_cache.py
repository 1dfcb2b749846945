"""Area figures kept for a few minutes in the shared cache, for the pages that show them (the dashboard,
the commitment roll-up).

At the scale target (a province: 100,000 organizations, 3,000,000 members) one set of an area's
aggregates reads every member of the area and takes seconds at the top of the tree (README,
"Performance"); the figures of an area move slowly, and many officers of the same level look at the same
ones. So a page computes them once and keeps them ``settings.FIGURES_CACHE_SECONDS`` (300 by default; 0
turns the cache off), under a key made of what they depend on: the name of the figures, their parameters
(area, campaign, cycle …) and the user's grants, since the scope narrows every aggregate. Two users with
the same grants share the entry; a user whose grants differ never sees figures computed for another.
The page says when its figures were computed and offers to recompute them (``?refresh=1``). The figures
of large areas are computed ahead by a periodic task (``portal.home_figures.warm``), so that the first
visitor of a province does not wait for them either.

With Redis as ``CACHES["default"]`` (production) the entry is shared by every web worker; with the
embedded default it is per process.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

VERSION = 1  # bump when the shape of the cached figures changes


def grants_key(scope):
    """The user's grants as a short stable string: what the scope's filters depend on."""
    grants = sorted((role, org.pk if org is not None else 0) for role, org in scope.grants)
    return hashlib.sha256(repr(grants).encode()).hexdigest()[:24]


def cached(scope, name, parameters, compute, refresh=False):
    """``(figures, computed_at)``: ``compute()``'s value from the cache when fresh (and not ``refresh``), else
    computed now and kept. ``parameters``: the values the figures depend on besides the scope (primary keys,
    numbers, None)."""
    seconds = settings.FIGURES_CACHE_SECONDS
    if seconds <= 0:
        return compute(), timezone.now()
    key = f"figures:{VERSION}:{name}:{grants_key(scope)}:" + ":".join(str(p) for p in parameters)
    if not refresh:
        entry = cache.get(key)
        if entry is not None:
            return entry
    entry = (compute(), timezone.now())
    cache.set(key, entry, seconds)
    return entry


def wants_refresh(request):
    return request.GET.get("refresh") == "1"


def cached_figures(request, name, parameters, compute):
    """``cached`` for a page: its user's scope; ``?refresh=1`` recomputes."""
    return cached(request.scope, name, parameters, compute, refresh=wants_refresh(request))


def refresh_url(request):
    """The page's address with ``refresh=1``: its figures recomputed."""
    query = request.GET.copy()
    query["refresh"] = "1"
    return f"?{query.urlencode()}"
