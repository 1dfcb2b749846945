"""Area figures kept a few minutes (portal.figures_cache): the dashboard and the commitment roll-up compute
them once per set of grants and parameters, say when, and recompute them on request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Commitment
from portal.models import Role

from ..factories import UserFactory, grant


@pytest.fixture
def cached(settings):
    settings.FIGURES_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def get(client, user, url, **params):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


def filed(response):
    return response.context["area_total"].commitments.organizations_filed


def test_the_dashboard_keeps_its_figures_and_recomputes_them_on_request(client, area, cached):
    home = reverse("portal:home")
    first, computed = get(client, area.committee_a, home)
    again, kept = get(client, area.committee_a, home)
    assert kept <= computed - 10  # the area's aggregates are not run again
    assert filed(again) == filed(first) == 1
    assert again.context["figures_at"] == first.context["figures_at"]
    page = again.content.decode()
    assert "最多保留 5 分钟" in page and 'href="?refresh=1">立即重新统计</a>' in page

    Commitment.objects.filter(organization=area.branch_a2).update(state=Commitment.State.SUBMITTED)
    assert filed(get(client, area.committee_a, home)[0]) == 1  # still the kept figures
    assert filed(get(client, area.committee_a, home, refresh="1")[0]) == 2
    assert filed(get(client, area.committee_a, home)[0]) == 2


def test_users_with_other_grants_never_share_figures(client, area, cached):
    home = reverse("portal:home")
    get(client, area.office, home, org=area.town_a.pk)
    colleague = UserFactory(username="committee_a2")
    grant(colleague, Role.COMMITTEE, area.town_a)
    _response, computed = get(client, colleague, home)
    _response, shared = get(client, area.committee_a, home)  # the same grants as the colleague
    assert shared < computed
    secretary = get(client, area.secretary_a, home)[0]
    assert [row.label for row in secretary.context["area_rows"]] == ["甲村党支部"]


def test_the_roll_up_keeps_its_figures_too(client, area, cached):
    url = reverse("commitments:rollup_org", args=[area.town_a.pk])
    first, computed = get(client, area.committee_a, url)
    again, kept = get(client, area.committee_a, url)
    assert kept < computed
    assert again.context["total"].filed_rate == first.context["total"].filed_rate == 50.0
    assert 'id="figures-at"' in again.content.decode()


def test_the_dashboards_of_large_areas_are_computed_ahead(client, area, cached, monkeypatch, settings):
    """The periodic task computes each large area's default dashboard once per set of grants, so that its
    first visitor reads kept figures; small areas are left to their visitors."""
    from portal import home_figures
    from portal.tasks import warm_dashboards

    monkeypatch.setattr(home_figures, "LARGE_AREA", 4)  # the city counts 6 organizations, town_a 3
    assert warm_dashboards() == 1  # the office (the city); committee_a's town is small
    home = reverse("portal:home")
    warmed, queries = get(client, area.office, home)
    computed, computed_queries = get(client, area.office, home, refresh="1")
    assert queries <= computed_queries - 10
    assert filed(warmed) == filed(computed)
    settings.FIGURES_CACHE_SECONDS = 0
    assert warm_dashboards() == 0


def test_beat_warms_the_dashboards_before_their_figures_expire(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["warm-dashboards"]
    assert entry["task"] == "portal.tasks.warm_dashboards"
    assert entry["schedule"].total_seconds() < 300  # FIGURES_CACHE_SECONDS by default
