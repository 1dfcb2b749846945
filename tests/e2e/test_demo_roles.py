"""Issue 2, "Done when": each demo account logs in, sees only its scope and does one task of its own.

The assertions use data (Chinese names of the demo city) and element ids, not UI labels, so they hold
in any language of the interface.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from portal.models import Member, MemberTransfer, Organization

pytestmark = pytest.mark.e2e

TOWN = "松陵镇党委"
BRANCH = "松陵镇流虹社区党支部"
NEIGHBOUR = "松陵镇鲈乡社区党支部"
OTHER_TOWN_BRANCH = "七都镇太湖渔业专业合作社党支部"


def log_in(page, device, username, full_name):
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('portal:home')}")
    expect(page.locator("main h1")).to_contain_text(full_name)
    # On a phone the main menu is collapsed behind the toggler; on a desktop it is open.
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible(visible=device == "phone")


def unfold_menu(page):
    """On a phone the main menu is collapsed behind the toggler: open it and wait for its animation to end
    (a click on a link while it slides can miss)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))


def open_from_dropdown(page, menu, href):
    """Open ``href`` from the dropdown ``menu`` of the main menu (e.g. ``#reviews-menu``), unfolded on phones."""
    unfold_menu(page)
    page.locator(menu).click()
    link = page.locator(f'#mainnav a[href="{href}"]')
    expect(link).to_be_visible()
    link.click()


def follow_menu(page, url_name):
    """Open a page from the main menu, unfolding the menu first where it is collapsed (phones)."""
    unfold_menu(page)
    href = reverse(url_name)
    page.locator(f'#mainnav a[href="{href}"]').click()
    page.wait_for_url(f"**{href}*")


def org(name):
    return Organization.objects.get(name=name)


def test_secretary_keeps_the_branch_roll(demo, page, device, screenshot):
    branch = org(BRANCH)
    log_in(page, device, "secretary", "徐丽萍")
    expect(page.locator("main")).to_contain_text(BRANCH)

    # Scope: the tree starts at the branch, the member list holds the branch's roll only.
    follow_menu(page, "portal:org_tree")
    expect(page.locator("#org-tree > li")).to_have_count(1)
    expect(page.locator("#org-tree")).to_contain_text(BRANCH)
    follow_menu(page, "portal:member_list")
    cells = page.locator("#member-table tbody td:nth-child(2)")
    expect(cells).to_have_count(branch.members.count())
    assert set(cells.all_inner_texts()) == {BRANCH}
    assert page.goto(reverse("portal:org_detail", args=[org(NEIGHBOUR).pk])).status == 404

    # Task: add a member to the branch.
    page.goto(reverse("portal:org_detail", args=[branch.pk]))
    page.locator(f'main a[href="{reverse("portal:member_create")}?org={branch.code}"]').click()
    expect(page.locator("#id_organization")).to_have_value(branch.code)
    page.fill("#id_name", "周雨桐")
    page.select_option("#id_gender", "f")
    page.fill("#id_birth_date", "1996-03-15")
    page.fill("#id_joined_on", "2021-06-28")
    page.fill("#id_phone", "13912345678")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_contain_text("周雨桐")
    expect(page.locator("main")).to_contain_text(BRANCH)
    screenshot("secretary")
    added = Member.objects.get(name="周雨桐")
    assert (added.organization, added.gender, str(added.joined_on)) == (branch, "f", "2021-06-28")


def test_committee_officer_transfers_a_member_within_the_town(demo, page, device, screenshot):
    town, branch, neighbour = org(TOWN), org(BRANCH), org(NEIGHBOUR)
    log_in(page, device, "committee", "陆振国")

    # Scope: the dashboard counts the town's subtree; the tree starts at the town.
    subtree = Organization.objects.filter(path__startswith=town.path).count()
    expect(page.locator("#stat-orgs")).to_have_text(str(subtree))
    follow_menu(page, "portal:org_tree")
    expect(page.locator("#org-tree > li")).to_have_count(1)
    expect(page.locator("#org-tree")).to_contain_text(TOWN)

    # Task: move a member of 鲈乡 to 流虹, found through the member list's organization filter.
    follow_menu(page, "portal:member_list")
    page.fill("#id_org", neighbour.code)
    page.locator("main form button[type=submit]").click()
    cells = page.locator("#member-table tbody td:nth-child(2)")
    expect(cells.first).to_have_text(NEIGHBOUR)
    moved = neighbour.members.order_by("name", "pk").first()
    page.locator("#member-table tbody a", has_text=moved.name).first.click()
    expect(page.locator("main h1")).to_contain_text(moved.name)
    page.locator(f'main a[href="{reverse("portal:member_transfer", args=[moved.pk])}"]').click()
    page.fill("#id_to", branch.code)
    page.fill("#id_note", "工作调动")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(BRANCH)
    expect(page.locator("main .list-group")).to_contain_text(f"{NEIGHBOUR} → {BRANCH}")
    screenshot("committee")
    moved.refresh_from_db()
    assert moved.organization == branch
    assert MemberTransfer.objects.filter(member=moved, from_org=neighbour, to_org=branch).exists()

    # A branch of another town does not exist for this officer.
    assert page.goto(reverse("portal:org_detail", args=[org(OTHER_TOWN_BRANCH).pk])).status == 404


def test_office_searches_the_tree_and_reads_the_warnings(demo, page, device, screenshot):
    city, town = org("中共吴江市委"), org(TOWN)
    log_in(page, device, "office", "顾晓燕")
    expect(page.locator("#stat-orgs")).to_have_text(str(Organization.objects.count()))

    # The tree loads one level at a time.
    follow_menu(page, "portal:org_tree")
    tree = page.locator("#org-tree")
    expect(tree).to_contain_text("中共吴江市委")
    expect(tree).not_to_contain_text(TOWN)
    page.locator(f'button[hx-get="{reverse("portal:org_children", args=[city.pk])}"]').click()
    expect(tree).to_contain_text(TOWN)
    expect(tree).to_contain_text("吴江汾湖经济开发区党工委")
    expect(tree).not_to_contain_text(BRANCH)
    page.locator(f'button[hx-get="{reverse("portal:org_children", args=[town.pk])}"]').click()
    expect(tree).to_contain_text(BRANCH)

    # Search by part of a name.
    page.fill("#id_q", "恒宇")
    page.locator("main form button[type=submit]").click()
    results = page.locator("main .list-group-item")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("吴江恒宇纺织集团有限公司党支部")

    # The warnings of the whole city: the deliberate violations of the demo.
    follow_menu(page, "portal:warnings")
    main = page.locator("main")
    for name in (OTHER_TOWN_BRANCH, "吴江恒宇纺织集团有限公司党支部", "吴江锦程丝绸有限公司"):
        expect(main).to_contain_text(name)
    screenshot("office")


def test_member_sees_their_own_record(demo, page, device, screenshot):
    me = Member.objects.get(user__username="member")
    log_in(page, device, "member", "钱志明")
    page.locator(f'main a[href="{reverse("portal:member_detail", args=[me.pk])}"]').first.click()
    expect(page.locator("main h1")).to_contain_text("钱志明")
    expect(page.locator("main")).to_contain_text(BRANCH)
    expect(page.locator("main")).to_contain_text(me.joined_on.isoformat())
    screenshot("member")

    # Only their own record: the member list holds one row, a fellow member's page does not exist.
    follow_menu(page, "portal:member_list")
    expect(page.locator("#member-table tbody tr")).to_have_count(1)
    expect(page.locator("#member-table tbody")).to_contain_text("钱志明")
    fellow = Member.objects.filter(organization=me.organization).exclude(pk=me.pk).first()
    assert page.goto(reverse("portal:member_detail", args=[fellow.pk])).status == 404


def test_admin_opens_the_admin_site(demo, page, device, screenshot):
    log_in(page, device, "admin", "沈建华")
    expect(page.locator("#stat-orgs")).to_have_text(str(Organization.objects.count()))
    page.goto("/admin/")
    expect(page.locator("#user-tools")).to_contain_text("沈建华")
    page.goto(reverse("admin:auth_user_changelist"))
    for username in ("office", "committee", "secretary", "member"):
        expect(page.locator("#result_list")).to_contain_text(username)
    screenshot("admin")
