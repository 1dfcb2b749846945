"""An objector looks up the answer to their objection by its reference number: no login, only that
objection's status, outcome and answer (never the contact, the text, other objections or the nominee's
material), an unknown number said plainly, the lookup rate-limited per address. The pages speak Chinese."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from awards.models import Objection, reference_code

from .test_public import announced, objection_data, page_url  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

LOOKUP = reverse("awards:objection_lookup")


@pytest.fixture(autouse=True)
def english(settings):  # overrides the awards' English: these pages are checked in the default language
    settings.LANGUAGE_CODE = "zh-hans"
    cache.clear()
    with translation.override("zh-hans"):
        yield


def look_up(client, reference):
    return client.get(LOOKUP, {"ref": reference})


@pytest.fixture
def objection(round, announced):  # noqa: F811
    return Objection.file(round, announced, name="李群众", contact="13800002222", body="该同志有违纪行为")


def test_filing_leads_to_the_lookup_with_the_reference_shown_once(client, round, announced):  # noqa: F811
    response = client.post(page_url(round), objection_data(announced, name="李群众"))
    objection = Objection.objects.get()
    assert response["Location"] == f"{LOOKUP}?ref={objection.reference}&new=1"
    page = client.get(response["Location"]).content.decode()
    assert "您的异议已收到" in page and objection.reference in page
    assert "尚未答复" in page
    assert "13800002222" not in page and "违纪行为" not in page and "李群众" not in page
    # Without ``new`` the page only answers the lookup; the announcement no longer echoes a reference.
    assert "您的异议已收到" not in look_up(client, objection.reference).content.decode()
    assert "您的异议已收到" not in client.get(f"{page_url(round)}?ref={objection.reference}").content.decode()


def test_the_answer_and_outcome_are_shown_and_nothing_else(client, cast, round, announced, objection):  # noqa: F811
    other = Objection.file(round, announced, name="", contact="13900001111", body="另一条异议内容")
    announced.deeds = "内部推荐材料"
    announced.save(update_fields=["deeds"])
    objection.answer_with(cast.office, "经核实，反映情况不属实", Objection.Outcome.DISMISSED)
    page = look_up(client, f"  {objection.reference.lower()} ").content.decode()
    assert "经核实，反映情况不属实" in page
    assert str(Objection.Outcome.DISMISSED.label) in page and "保留" in page
    assert announced.member.name in page and round.title in page
    hidden = ("13800002222", "违纪行为", "李群众", other.reference, "13900001111", "另一条异议内容", "内部推荐材料")
    assert not [text for text in hidden if text in page]


def test_an_upheld_objection_says_the_candidate_is_withdrawn(client, cast, objection):
    objection.answer_with(cast.office, "情况属实，撤销推荐", Objection.Outcome.UPHELD)
    page = look_up(client, objection.reference).content.decode()
    assert "情况属实，撤销推荐" in page and str(Objection.Outcome.UPHELD.label) in page


def test_an_unknown_reference_is_said_plainly(client, objection):
    unknown = reference_code()
    page = look_up(client, unknown).content.decode()
    assert f"没有参考编号为“{unknown}”的异议" in page
    assert 'id="objection-status"' not in page
    assert 'id="objection-status"' not in client.get(LOOKUP).content.decode()  # the empty form


def test_the_lookup_needs_no_login_and_is_never_cached(client, objection):
    response = look_up(client, objection.reference)
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]


def test_lookups_are_rate_limited_per_address(client, objection):
    for _ in range(30):
        assert look_up(client, reference_code()).status_code == 200
    response = look_up(client, objection.reference)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "请稍候" in response.content.decode() and "尚未答复" not in response.content.decode()
    other_address = client.get(LOOKUP, {"ref": objection.reference}, REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 200 and "尚未答复" in other_address.content.decode()


def test_look_up_is_the_model_method(objection):
    assert Objection.look_up(objection.reference.lower()) == objection
    assert Objection.look_up("") is None and Objection.look_up("NOSUCH") is None
    assert {"contact", "body", "name"} <= Objection.look_up(objection.reference).get_deferred_fields()
