"""The public list of exemplary-deeds articles: published articles of awards only, newest first, 20 a page,
searchable by title and by the awardee's name, linked from the honour roll, in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from awards.models import Article, Nomination

from ..factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("awards:articles")


@pytest.fixture(autouse=True)
def english(settings):  # overrides the awards' English: these pages are checked in the default language
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def award(cast, round, category, name, state=Nomination.State.APPROVED):
    member = MemberFactory(name=name, organization=cast.branch_a)
    return Nomination.objects.create(
        round=round, category=category, organization=cast.branch_a, member=member, holder=cast.city, state=state
    )


def article(cast, nomination, title, published=True, days_ago=0):
    item = Article(nomination=nomination, title=title, body=f"{title}的正文", published=published)
    if nomination.state == Nomination.State.APPROVED:
        item.save_edit(cast.office, None)
    else:
        item.save()
    if published:
        Article.objects.filter(pk=item.pk).update(published_at=timezone.now() - datetime.timedelta(days=days_ago))
    return item


@pytest.fixture
def excellent(categories):
    return categories["优秀共产党员"]


def test_only_published_articles_of_awards_newest_first(client, cast, round, excellent):
    article(cast, award(cast, round, excellent, "老党员甲"), "扎根基层三十年", days_ago=5)
    article(cast, award(cast, round, excellent, "新党员乙"), "青春在服务中闪光", days_ago=1)
    article(cast, award(cast, round, excellent, "草稿丙"), "尚未发布的稿件", published=False)
    article(cast, award(cast, round, excellent, "撤销丁", Nomination.State.REJECTED), "被撤销者的文章")
    page = client.get(URL).content.decode()
    assert page.index("青春在服务中闪光") < page.index("扎根基层三十年")
    assert "新党员乙" in page and "优秀共产党员" in page
    assert "尚未发布的稿件" not in page and "被撤销者的文章" not in page
    assert "先进事迹文章" in page  # the heading, in Chinese


def test_search_by_title_or_name(client, cast, round, excellent):
    article(cast, award(cast, round, excellent, "老党员甲"), "扎根基层三十年")
    article(cast, award(cast, round, excellent, "新党员乙"), "青春在服务中闪光")
    by_title = client.get(URL, {"q": "扎根"}).content.decode()
    assert "扎根基层三十年" in by_title and "青春在服务中闪光" not in by_title
    by_name = client.get(URL, {"q": "新党员"}).content.decode()
    assert "青春在服务中闪光" in by_name and "扎根基层三十年" not in by_name
    nothing = client.get(URL, {"q": "不存在"}).content.decode()
    assert "没有与“不存在”相符的已发布文章。" in nothing


def test_an_empty_list_says_so(client, db):
    assert "尚未发布任何文章。" in client.get(URL).content.decode()


def test_paginated_by_twenty(client, cast, round, excellent):
    for i in range(21):
        article(cast, award(cast, round, excellent, f"党员{i:02d}"), f"事迹{i:02d}", days_ago=i)
    first = client.get(URL).content.decode()
    assert "事迹00" in first and "事迹19" in first and "事迹20" not in first
    assert "事迹20" in client.get(URL, {"page": 2}).content.decode()


def test_linked_from_the_honour_roll(client, db):
    assert f'href="{URL}"' in client.get(reverse("awards:honours")).content.decode()


def test_publishing_dates_the_article(cast, round, excellent):
    item = article(cast, award(cast, round, excellent, "老党员甲"), "扎根基层三十年", published=False)
    item.refresh_from_db()
    assert item.published_at is None
    item.published = True
    item.save_edit(cast.office, item.version)
    assert item.published_at is not None


@pytest.mark.parametrize("size", [2, 25])
def test_a_fixed_number_of_queries(client, cast, round, excellent, django_assert_num_queries, size):
    for i in range(size):
        article(cast, award(cast, round, excellent, f"党员{i:02d}"), f"事迹{i:02d}")
    with django_assert_num_queries(2):  # the count, the page
        response = client.get(URL, {"q": "事迹"})
    assert response.status_code == 200
