"""Issue 3, "Done when": the commitment journey in the demo, all through the browser.

In the demo city (``seed_demo``): the ``secretary`` of 松陵镇流虹社区党支部 files the branch's
commitment with three items, records the general meeting of members and submits it; the
``committee`` officer of 松陵镇党委 accepts it from the queue; the secretary publishes it and it is
on the branch's public board; a member of the public comments on it from a phone, without logging
in, and gets a reference number; the secretary reports progress with a photo; the committee officer
assesses the item's fulfilment (the demo campaign's fulfilment step is open); the secretary approves
the comment with a reply, and the public sees comment, reply, progress, photo and assessment.

The staff side runs on a desktop and on a phone (the ``device`` parameter); the public always on a
phone. Assertions use data (Chinese) and element ids, names and addresses, not UI labels.
"""

import datetime
import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from commitments.forms_board import PublicCommentForm
from commitments.models import Comment, Commitment, Evidence
from portal.models import Organization

from .test_demo_roles import BRANCH, log_in

pytestmark = pytest.mark.e2e

TITLE = "松陵镇流虹社区党支部2011年创先争优公开承诺"
ITEMS = (
    # content, target, days to the deadline, criterion, activity carrier, weight
    (
        "组织党员志愿者每周开展一次小区环境整治和为老服务",
        "全年不少于50次，参与党员300人次",
        90,
        "群众反映好",
        "党员志愿者服务",
        "2",
    ),
    (
        "建立支部党员“一对一”联系居民户制度，及时收集群众诉求",
        "联系居民200户，诉求办结率95%以上",
        150,
        "工作机制好",
        "党员联系服务群众",
        "1",
    ),
    ("支部班子每月集中学习一次，书记每季度讲一次党课", "全年集中学习12次、讲党课4次", 200, "领导班子好", "", "1"),
)
MEETING_TOPIC = "讨论支部创先争优公开承诺事项"
COMMENT = "希望志愿者周末也来看看3号楼的独居老人，谢谢你们！"
CONTACT = "13800001111"
PROGRESS = "本周组织党员志愿者12人清理小区绿化带，看望空巢老人5户。"
ASSESSMENT = "志愿服务已按计划开展，次数尚未达到全年目标，请继续推进。"
REPLY = "感谢建议，已安排党员志愿者每周六上午走访3号楼独居老人。"


def watch(page, problems):
    """Collect script errors, what the Content-Security-Policy refused and failed requests."""
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    return page


def photo(path):
    """A small photo of an activity, made with Pillow."""
    image = Image.new("RGB", (800, 600), (190, 215, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 400, 800, 600), fill=(110, 160, 90))
    draw.rectangle((100, 60, 700, 140), fill=(196, 18, 48))
    for i in range(8):
        draw.ellipse((90 + i * 80, 280, 130 + i * 80, 320), fill=(235, 200, 170))
        draw.rectangle((85 + i * 80, 322, 135 + i * 80, 440), fill=(40 + i * 25, 90, 160))
    image.save(path, "JPEG", quality=85)
    return path


def confirm(page, link):
    """Follow the link to a transition's confirmation page and confirm it."""
    page.locator(f'main a[href="{link}"]').click()
    page.wait_for_url(f"**{link}")
    page.locator("main form button[type=submit]").click()


def to_board_share(page, org):
    """From the organization's page to the staff page of its public board."""
    page.goto(org.get_absolute_url())
    share = reverse("commitments:board_share", args=[org.pk])
    page.locator(f'main a[href="{share}"]').click()
    page.wait_for_url(f"**{share}")


def test_a_branch_commitment_from_filing_to_fulfilment(demo, page, device, open_page, screenshot, tmp_path):
    branch = Organization.objects.get(name=BRANCH)
    today = timezone.localdate()
    problems = []
    secretary = watch(page, problems)

    # --- The secretary files the branch's commitment, with three items. ---------------------------
    log_in(secretary, device, "secretary", "徐丽萍")
    secretary.goto(reverse("commitments:list"))
    create = reverse("commitments:create", args=[branch.pk])
    secretary.locator(f'main a[href="{create}"]').click()
    secretary.select_option("select[name=audience]", Commitment.Audience.SUPERIOR)
    secretary.fill("input[name=title]", TITLE)
    secretary.locator("main form button[type=submit]").click()
    secretary.wait_for_url("**/edit/**")
    commitment = Commitment.objects.get(title=TITLE)
    assert (commitment.organization, commitment.state, commitment.campaign.name) == (
        branch,
        Commitment.State.DRAFT,
        "2010–2012年创先争优活动",
    )
    for row, (content, target, days, criterion, carrier, weight) in enumerate(ITEMS):
        if row:
            secretary.locator("[data-formset-add]").click()
        secretary.fill(f"textarea[name=items-{row}-content]", content)
        secretary.fill(f"input[name=items-{row}-target]", target)
        secretary.fill(f"input[name=items-{row}-deadline]", (today + datetime.timedelta(days=days)).isoformat())
        secretary.select_option(f"select[name=items-{row}-criterion]", label=criterion)
        if carrier:
            secretary.select_option(f"select[name=items-{row}-carrier]", label=carrier)
        secretary.fill(f"input[name=items-{row}-weight]", weight)
    screenshot("journey-1-items")
    secretary.locator("main form[data-draft] button[type=submit]").click()
    secretary.wait_for_url(f"**{commitment.get_absolute_url()}?saved=*")
    items = list(commitment.items.select_related("criterion", "carrier").order_by("order"))
    assert [(i.content, i.criterion.title, i.carrier.name if i.carrier else "", float(i.weight)) for i in items] == [
        (content, criterion, carrier, float(weight)) for content, _target, _days, criterion, carrier, weight in ITEMS
    ]
    for content, *_rest in ITEMS:
        expect(secretary.locator("main")).to_contain_text(content)

    # The general meeting of members that discussed it, then submitting it to the town.
    meeting = reverse("commitments:meeting", args=[commitment.pk])
    secretary.locator(f'main a[href="{meeting}"]').click()
    secretary.wait_for_url(f"**{meeting}")
    members = branch.members.filter(active=True).count()
    expect(secretary.locator("#id_members_total")).to_have_value(str(members))
    secretary.fill("#id_held_on", (today - datetime.timedelta(days=2)).isoformat())
    secretary.fill("#id_attendance", str(members - 2))
    secretary.fill("#id_staff_representatives", "2")
    secretary.fill("#id_topic", MEETING_TOPIC)
    secretary.fill("#id_minutes", "与会党员逐项讨论承诺事项，一致同意提交镇党委。")
    secretary.locator("main form[data-draft] button[type=submit]").click()
    secretary.wait_for_url(f"**{commitment.get_absolute_url()}?saved=*")
    expect(secretary.locator("main")).to_contain_text(MEETING_TOPIC)
    confirm(secretary, reverse("commitments:submit", args=[commitment.pk]))
    secretary.wait_for_url(f"**{commitment.get_absolute_url()}")
    expect(secretary.locator("#history li")).to_have_count(3)  # started, meeting, submitted
    expect(secretary.locator("#history")).to_contain_text("徐丽萍")
    screenshot("journey-2-submitted")
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.SUBMITTED
    assert (commitment.meeting.topic, commitment.meeting.attendance) == (MEETING_TOPIC, members - 2)

    # --- The committee officer of 松陵镇党委 accepts it from the queue. --------------------------------
    committee = watch(open_page(device), problems)
    log_in(committee, device, "committee", "陆振国")
    committee.goto(reverse("commitments:queue"))
    committee.locator(f'#queue a[href="{commitment.get_absolute_url()}"]').click()
    expect(committee.locator("main h1")).to_contain_text(TITLE)
    confirm(committee, reverse("commitments:accept", args=[commitment.pk]))
    committee.wait_for_url(f"**{commitment.get_absolute_url()}")
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.ACCEPTED
    expect(committee.locator(f'#queue a[href="{commitment.get_absolute_url()}"]')).to_have_count(0)

    # The secretary publishes it: it is on the branch's public board.
    secretary.goto(commitment.get_absolute_url())
    confirm(secretary, reverse("commitments:publish", args=[commitment.pk]))
    secretary.wait_for_url(f"**{commitment.get_absolute_url()}")
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.PUBLISHED
    to_board_share(secretary, branch)
    board_url = secretary.locator(f'main a[href="{branch.board.get_absolute_url()}"]').get_attribute("href")

    # --- A member of the public comments from a phone, without logging in. -----------------------------
    public = watch(open_page("phone"), problems)
    public.goto(board_url)
    on_board = reverse("commitments:board_commitment", args=[branch.board.code, commitment.pk])
    expect(public.locator("main")).to_contain_text(TITLE)
    expect(public.locator("main")).to_contain_text("徐丽萍同志向群众公开承诺")  # the members' commitments too
    screenshot(f"journey-3-public-board-{device}-run", on=public, seen_on="phone")
    public.locator(f'main h2 a[href="{on_board}"]').click()
    public.wait_for_url(f"**{on_board}")
    shown_at = time.monotonic()
    for content, *_rest in ITEMS:
        expect(public.locator("main")).to_contain_text(content)
    public.fill("#id_body", COMMENT)
    public.fill("#id_name", "陈海燕")
    public.fill("#id_contact", CONTACT)
    expect(public.locator("#id_website")).not_to_be_in_viewport()  # the honeypot is not for people
    # The form refuses what is sent quicker than a person writes: wait that long, as a person would.
    public.wait_for_timeout(max(0, PublicCommentForm.MIN_SECONDS + 0.5 - (time.monotonic() - shown_at)) * 1000)
    screenshot(f"journey-4-public-comment-{device}-run", on=public, seen_on="phone")
    public.locator("#comment-form button[type=submit]").click()
    public.wait_for_url("**/reply/?ref=*")
    reference = parse_qs(urlparse(public.url).query)["ref"][0]
    expect(public.locator("main .alert-success")).to_contain_text(reference)
    screenshot(f"journey-5-public-reference-{device}-run", on=public, seen_on="phone")
    comment = Comment.objects.get(reference=reference)
    assert (comment.commitment, comment.body, comment.status) == (commitment, COMMENT, Comment.Status.PENDING)
    public.goto(on_board)
    public.reload()  # the board is kept in the visitor's browser for a minute: ask for it afresh
    expect(public.locator("#comments")).not_to_contain_text(COMMENT)  # not before it is moderated

    # --- The secretary reports progress on the first item, with a photo. -------------------------------
    first = items[0]
    secretary.goto(commitment.get_absolute_url())
    report = reverse("commitments:progress", args=[first.pk])
    secretary.locator(f'main a[href="{report}"]').click()
    secretary.wait_for_url(f"**{report}")
    secretary.fill("#id_text", PROGRESS)
    secretary.fill("#id_progress", "30")
    secretary.set_input_files("#id_files", photo(tmp_path / "志愿服务.jpg"))
    screenshot("journey-6-progress")
    secretary.locator("main form button[type=submit]").click()
    secretary.wait_for_url(f"**{commitment.get_absolute_url()}?saved=*")
    evidence = Evidence.objects.get(update__item=first)
    assert (evidence.name, evidence.is_image, evidence.update.progress) == ("志愿服务.jpg", True, 30)
    thumbnail = secretary.locator(f'main img[src="{evidence.thumbnail_url}"]')
    expect(thumbnail).to_be_visible()
    # the thumbnail loads (visible is not loaded: on a busy machine the image may still be on its way)
    secretary.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    expect(secretary.locator("main")).to_contain_text(PROGRESS)

    # --- The committee officer assesses the item's fulfilment. -----------------------------------------
    committee.goto(commitment.get_absolute_url())
    assess = reverse("commitments:assess", args=[first.pk])
    committee.locator(f'main a[href="{assess}"]').click()
    committee.wait_for_url(f"**{assess}")
    committee.check("input[name=fulfilment][value=partly]")
    committee.fill("#id_comment", ASSESSMENT)
    screenshot("journey-7-assessment", on=committee)
    committee.locator("main form button[type=submit]").click()
    committee.wait_for_url(f"**{commitment.get_absolute_url()}")
    expect(committee.locator("main")).to_contain_text(ASSESSMENT)
    first.refresh_from_db()
    assert (first.fulfilment, first.fulfilment_comment, first.assessed_by.username) == (
        "partly",
        ASSESSMENT,
        "committee",
    )

    # --- The secretary approves the comment with a reply. ------------------------------------------------
    to_board_share(secretary, branch)
    queue = reverse("commitments:moderation_queue")
    secretary.locator(f'main a[href="{queue}"]').click()
    secretary.wait_for_url(f"**{queue}")
    card = secretary.locator("main article", has_text=COMMENT)
    expect(card).to_contain_text(CONTACT)  # the moderator sees the contact, to answer
    card.locator(f"#reply-{comment.pk}").fill(REPLY)
    screenshot("journey-8-moderation")
    card.locator("button[name=decision][value=approve]").click()
    secretary.wait_for_url(f"**{queue}")
    expect(secretary.locator("main article", has_text=COMMENT)).to_have_count(0)
    comment.refresh_from_db()
    assert (comment.status, comment.reply, comment.moderated_by.username) == ("approved", REPLY, "secretary")

    # --- On the phone, the public sees the comment and reply, the progress, the photo, the assessment. ----
    public.goto(on_board)
    public.reload()
    expect(public.locator("#comments")).to_contain_text(COMMENT)
    expect(public.locator("#comments")).to_contain_text(REPLY)
    expect(public.locator("#comments")).to_contain_text("陈**")  # the name masked
    expect(public.locator("main")).not_to_contain_text(CONTACT)
    expect(public.locator("main")).to_contain_text(PROGRESS)
    expect(public.locator("main")).to_contain_text(ASSESSMENT)
    board_photo = public.locator(f'main img[src$="/e/{evidence.pk}/?thumb=1"]')
    expect(board_photo).to_be_visible()
    assert board_photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert public.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    screenshot(f"journey-9-public-commitment-{device}-run", on=public, seen_on="phone")
    public.goto(f"{reverse('commitments:comment_lookup')}?ref={reference}")
    expect(public.locator("main dl")).to_contain_text(REPLY)
    assert problems == []
