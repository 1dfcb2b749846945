from django.urls import reverse


def test_home_requires_login(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_committee_dashboard_counts_its_subtree(client, cast):
    client.force_login(cast.committee_a)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert response.context["org_count"] == 3  # town_a and its two branches
    assert response.context["member_figures"]["total"] == 2
