"""The public side, without login: the announced list and its objection form (bad input, spam checks,
rate limit, the contact never shown), the printable notice, the honour roll and the deeds pages."""

import time

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse

from awards.forms import ObjectionForm
from awards.models import Article, ArticlePhoto, AwardRound, Objection

from .conftest import TODAY, days
from .test_flow import shortlisted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def token(seconds_ago=10):
    with time_machine.travel(time.time() - seconds_ago, tick=False):
        return ObjectionForm.new_token()


@pytest.fixture
def announced(cast, round, categories):
    nomination = shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    nomination.deeds = "常年开展为老服务"
    nomination.save()
    round.start_publicity(cast.office, on=TODAY)
    return nomination


def objection_data(candidate, **overrides):
    data = {"nomination": candidate.pk, "body": "该同志有违纪行为", "name": "", "contact": "13800002222"}
    return {**data, "website": "", "started": token(), **overrides}


def page_url(round):
    return reverse("awards:announcement", args=[round.code])


def test_the_announcement_is_public(client, round, announced):
    page = client.get(page_url(round)).content.decode()
    assert "张三" in page and "常年开展为老服务" in page
    assert 'id="objection-form"' in page


def test_an_objection_is_filed_and_its_contact_never_shown(client, round, announced):
    response = client.post(page_url(round), objection_data(announced, name="李群众"))
    objection = Objection.objects.get()
    assert response["Location"] == f"{reverse('awards:objection_lookup')}?ref={objection.reference}&new=1"
    assert (objection.nomination, objection.contact) == (announced, "13800002222")
    page = client.get(response["Location"]).content.decode()
    assert objection.reference in page
    assert "13800002222" not in page and "违纪行为" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contact": ""}, "Leave a phone number or an e-mail address"),
        ({"contact": "not a contact"}, "Enter a phone number or an e-mail address"),
        ({"body": ""}, "Write your objection."),
        ({"body": "长" * 2001}, "Keep it to 2000 characters"),
        ({"nomination": "999999"}, "Select a valid choice"),
        ({"website": "http://spam.example"}, "was filled in"),
        ({"started": "forged"}, "The form could not be checked"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, round, announced, overrides, message):
    response = client.post(page_url(round), objection_data(announced, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Objection.objects.exists()


def test_too_quick_a_submission_is_refused(client, round, announced):
    response = client.post(page_url(round), objection_data(announced, started=token(seconds_ago=0)))
    assert "quicker than anyone can write" in response.content.decode()
    assert not Objection.objects.exists()


def test_objections_are_rate_limited_per_address(client, round, announced):
    for _ in range(5):
        assert client.post(page_url(round), objection_data(announced)).status_code == 302
    response = client.post(page_url(round), objection_data(announced))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert Objection.objects.count() == 5


def test_no_objection_outside_the_period(client, round, announced):
    AwardRound.objects.filter(pk=round.pk).update(publicity_starts_on=days(-10), publicity_ends_on=days(-1))
    page = client.get(page_url(round)).content.decode()
    assert 'id="objection-form"' not in page
    assert client.post(page_url(round), objection_data(announced)).status_code == 404
    assert not Objection.objects.exists()


def test_a_round_still_nominating_is_not_public(client, round):
    assert client.get(page_url(round)).status_code == 404
    assert client.get(reverse("awards:notice", args=[round.code])).status_code == 404


def test_the_honour_roll_and_deeds(client, cast, round, announced):
    assert "张三" not in client.get(reverse("awards:honours")).content.decode()
    round.approve(cast.office, on=days(7))
    page = client.get(reverse("awards:honours")).content.decode()
    assert "张三" in page and "优秀共产党员" in page
    assert (
        "张三" in client.get(reverse("awards:honours") + f"?campaign={round.campaign_id}&level=city").content.decode()
    )
    assert "张三" not in client.get(reverse("awards:honours") + "?level=town").content.decode()
    announced.refresh_from_db()
    deeds = reverse("awards:deeds", args=[announced.code])
    assert "常年开展为老服务" in client.get(deeds).content.decode()


def test_an_article_with_photos_is_public_once_published(client, cast, round, announced):
    round.approve(cast.office, on=days(7))
    announced.refresh_from_db()
    article = Article(nomination=announced, title="为老服务的带头人", body="她十年如一日……")
    article.save_edit(cast.office, None)
    photo = ArticlePhoto(article=article, caption="走访")
    photo.file.save("p.jpg", ContentFile(b"\xff\xd8\xff\xe0fake"), save=True)
    deeds = reverse("awards:deeds", args=[announced.code])
    assert "为老服务的带头人" not in client.get(deeds).content.decode()
    assert client.get(reverse("awards:photo", args=[photo.pk])).status_code == 404
    article.published = True
    article.save_edit(cast.office, article.version)
    assert "为老服务的带头人" in client.get(deeds).content.decode()
    response = client.get(reverse("awards:photo", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
