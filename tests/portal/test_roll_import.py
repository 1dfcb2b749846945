"""Import of organizations and members from .xlsx: upload, validation, preview, confirmation, jobs.

Every file is built here with openpyxl, the way a user's spreadsheet program would write it.
"""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook

from portal import roll_import
from portal.models import AuditEntry, ImportJob, Member, Organization, RoleAssignment
from portal.models.organizations import encode_segment

from ..factories import MemberFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEMBER_HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "党员类别(正式/预备)",
    "入党日期",
    "所在组织编码",
    "党内职务",
    "流动党员(是/否)",
    "非公企业身份",
    "手机号码",
]
ORG_HEADERS = ["组织名称", "组织编码", "上级组织编码", "层级", "领域", "书记", "联系电话", "成立日期"]
BORN, JOINED = datetime.date(1985, 3, 12), datetime.date(2008, 7, 1)
M = roll_import.MESSAGES


def zh(message, **params):
    """``message`` (a msgid or a lazy translation) as the Chinese UI, the default language, says it."""
    with translation.override("zh-hans"):
        text = gettext(message) if isinstance(message, str) else str(message)
        return text % params if params else text


def member(name="赵六", org="BR-A", **changes):
    row = {
        "姓名": name,
        "性别": "男",
        "出生日期": BORN,
        "党员类别(正式/预备)": "正式",
        "入党日期": JOINED,
        "所在组织编码": org,
        "党内职务": "",
        "流动党员(是/否)": "否",
        "非公企业身份": "",
        "手机号码": "13800000001",
    }
    row.update(changes)
    return [row[h] for h in MEMBER_HEADERS]


def org(name, code, parent, level="党支部", **changes):
    row = dict(
        zip(
            ORG_HEADERS,
            [name, code, parent, level, "农村", "李书记", "0512-1234567", datetime.date(2010, 1, 1)],
            strict=True,
        )
    )
    row.update(changes)
    return [row[h] for h in ORG_HEADERS]


def xlsx(headers, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def members_file(*rows):
    return xlsx(MEMBER_HEADERS, rows)


def orgs_file(*rows):
    return xlsx(ORG_HEADERS, rows)


def replace_entry(content, name, data):
    """``content`` (an xlsx) with the zip entry ``name`` replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != name:
                target.writestr(entry, source.read(entry.filename))
        target.writestr(name, data)
    return out.getvalue()


def upload(client, kind, content, name="名册.xlsx", **data):
    file = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(reverse("portal:roll_import", args=[kind]), {"file": file, **data})


def confirm(client, job):
    return client.post(reverse("portal:roll_import_job", args=[job.code]))


def latest_job():
    return ImportJob.objects.latest("pk")


def errors_of(job):
    return {(e["row"], e["column"]): e["message"] for e in job.errors}


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploads go to a temporary folder; live progress (in the cache) starts empty."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path}},
    }
    cache.clear()


# --- Happy paths -------------------------------------------------------------------------------


def test_members_are_checked_previewed_then_imported_on_confirmation(client, cast):
    client.force_login(cast.secretary_a)
    content = members_file(
        member("赵六"),
        member("钱七", **{"性别": "女", "党员类别(正式/预备)": "预备", "党内职务": "书记", "流动党员(是/否)": "是"}),
        member("孙八", **{"出生日期": "1990/2/3", "入党日期": "2012年7月1日", "非公企业身份": "业主"}),
        member("李九", **{"出生日期": 19910101, "党员类别(正式/预备)": "Probationary member", "性别": "female"}),
    )
    before = Member.objects.count()

    response = upload(client, "members", content)

    job = latest_job()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.VALID and job.total_rows == 4 and job.error_count == 0
    assert Member.objects.count() == before  # nothing written before confirmation
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    assert page.context["may_confirm"]
    assert "import-preview" in page.content.decode() and "钱七" in page.content.decode()
    assert job.preview[2][2] == "1990/2/3"
    assert dict(job.summary) == {
        zh(Member.Status.FULL.label): 2,
        zh(Member.Status.PROBATIONARY.label): 2,
        zh("Organizations"): 1,
    }

    response = confirm(client, job)

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.DONE and job.imported_rows == 4 and job.finished_at
    qian = Member.objects.get(name="钱七")
    assert (qian.gender, qian.status, qian.role, qian.mobile, qian.organization) == (
        "f",
        "probationary",
        "secretary",
        True,
        cast.branch_a,
    )
    sun = Member.objects.get(name="孙八")
    assert (sun.birth_date, sun.joined_on, sun.staff_kind) == (
        datetime.date(1990, 2, 3),
        datetime.date(2012, 7, 1),
        "owner",
    )
    li = Member.objects.get(name="李九")
    assert (li.birth_date, li.status, li.gender) == (datetime.date(1991, 1, 1), "probationary", "f")
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.IMPORT)
    assert entry.actor == cast.secretary_a and entry.organization == cast.branch_a
    assert entry.object_id == str(job.pk) and entry.changes["imported_rows"] == 4


def test_organizations_may_name_superiors_defined_earlier_in_the_file(client, cast, monkeypatch):
    monkeypatch.setattr(roll_import, "CHUNK", 2)  # superiors in an earlier chunk and in the same chunk
    client.force_login(cast.committee_a)
    content = orgs_file(
        org("甲镇机关党委", "TA-C1", "TOWN-A", level="党委", **{"领域": "机关"}),
        org("一支部", "TA-C1-B1", "TA-C1"),
        org("二支部", "ta-c1-b2", "ta-c1"),  # codes are compared regardless of case
        org("三支部", "TA-C1-B3", "TA-C1"),
        org("甲村第二支部", "BR-A-2", "BR-A", level="联合党支部", **{"成立日期": None, "书记": None}),
    )

    upload(client, "organizations", content)
    job = latest_job()
    assert job.status == ImportJob.Status.VALID, job.errors
    confirm(client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.imported_rows == 5
    created = Organization.objects.filter(code__in=["TA-C1", "TA-C1-B1", "TA-C1-B2", "TA-C1-B3", "BR-A-2"])
    assert created.count() == 5
    for organization in created.select_related("parent"):
        assert organization.path == organization.parent.path + encode_segment(organization.pk)
        assert organization.depth == organization.parent.depth + 1
    committee = Organization.objects.get(code="TA-C1")
    assert (committee.parent, committee.level, committee.sector) == (cast.town_a, "committee", "agency")
    assert Organization.objects.subtree(committee).count() == 4
    assert Organization.objects.get(code="BR-A-2").founded_on is None
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.IMPORT)
    assert entry.organization == cast.town_a  # the deepest organization above every new one
    assert client.get(reverse("portal:org_detail", args=[committee.pk])).status_code == 200


def test_a_second_confirmation_imports_nothing_more(client, cast):
    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(member("赵六")))
    job = latest_job()
    confirm(client, job)
    response = confirm(client, job)
    assert response.status_code == 302
    assert Member.objects.filter(name="赵六").count() == 1


# --- Every row is checked, all errors at once, nothing written -----------------------------------


def test_every_error_is_listed_with_row_and_column_and_nothing_is_written(client, cast):
    client.force_login(cast.committee_a)
    before = Member.objects.count()
    content = members_file(
        member("赵六"),  # 2: fine
        member(None),  # 3: missing name
        member("孙八", **{"出生日期": "1985-13-45"}),  # 4: bad date
        member("李九", **{"党员类别(正式/预备)": "候补"}),  # 5: unknown choice
        member("周十", org="NOPE"),  # 6: unknown organization
        member("吴一", org="BR-B"),  # 7: another town: out of scope, answered as unknown
        member("赵六"),  # 8: same name and birth date in the same organization as row 2
        member("张三", **{"出生日期": cast.member_a.birth_date}),  # 9: already on the roll
        member("郑二", **{"入党日期": datetime.date(1980, 1, 1)}),  # 10: joined before being born
        member("王三", **{"入党日期": datetime.date.today() + datetime.timedelta(days=30)}),  # 11: future
    )

    upload(client, "members", content)

    job = latest_job()
    assert job.status == ImportJob.Status.INVALID
    assert Member.objects.count() == before
    errors = errors_of(job)
    assert job.error_count == 9
    assert errors == {
        (3, "姓名"): zh(M["required"]),
        (4, "出生日期"): zh(M["not_a_date"], value="1985-13-45"),
        (5, "党员类别"): zh(M["unknown_value"], value="候补", choices="正式、预备"),
        (6, "所在组织编码"): zh(M["unknown_organization"], code="NOPE"),
        # An organization outside the user's area reads exactly like one that does not exist.
        (7, "所在组织编码"): zh(M["unknown_organization"], code="BR-B"),
        (8, "姓名"): zh(M["member_twice"], row=2),
        (9, "姓名"): zh(M["member_exists"]),
        (10, "入党日期"): zh(M["joined_before_birth"]),
        (11, "入党日期"): zh(M["future"]),
    }
    page = client.get(job.get_absolute_url()).content.decode()
    assert "import-errors" in page and "1985-13-45" in page
    assert not client.get(job.get_absolute_url()).context["may_confirm"]
    assert confirm(client, job).status_code == 302
    assert Member.objects.count() == before


def test_organization_errors(client, cast):
    client.force_login(cast.committee_a)
    content = orgs_file(
        org("一支部", "TA-1", "TA-9"),  # 2: its superior comes further down
        org("二支部", "TA-2", "TOWN-B"),  # 3: superior outside the area: unknown
        org("三支部", "TA-3", "NOPE"),  # 4: unknown superior
        org("四支部", "br-a2", "TOWN-A"),  # 5: code already used (in another case)
        org("五支部", "TA-5", "TOWN-A"),  # 6: fine
        org("六支部", "TA-5", "TOWN-A"),  # 7: code twice in the file
        org("七支部", "TA-7", "TOWN-A", level="小组"),  # 8: unknown level
        org("八支部", "TA-8", "TOWN-A", **{"成立日期": "去年"}),  # 9: not a date
        org("九支部", "TA-9", "TOWN-A"),  # 10: fine (named as superior by row 2)
        org("十支部", "TA-10", "TA-10"),  # 11: under itself
        org(None, "TA-11", None),  # 12: name and superior missing
    )

    upload(client, "organizations", content)

    job = latest_job()
    errors = errors_of(job)
    assert job.status == ImportJob.Status.INVALID
    assert set(errors) == {
        (2, "上级组织编码"),
        (3, "上级组织编码"),
        (4, "上级组织编码"),
        (5, "组织编码"),
        (7, "组织编码"),
        (8, "层级"),
        (9, "成立日期"),
        (11, "上级组织编码"),
        (12, "组织名称"),
        (12, "上级组织编码"),
    }
    assert errors[(2, "上级组织编码")] == zh(M["superior_later"], code="TA-9", row=10)
    assert errors[(3, "上级组织编码")] == zh(M["unknown_organization"], code="TOWN-B")  # outside the area
    assert errors[(4, "上级组织编码")] == zh(M["unknown_organization"], code="NOPE")
    assert errors[(5, "组织编码")] == zh(M["code_taken"])
    assert errors[(7, "组织编码")] == zh(M["code_twice"], code="TA-5", row=6)
    assert errors[(11, "上级组织编码")] == zh(M["under_itself"])
    assert not Organization.objects.filter(code__startswith="TA-").exists()


def test_a_dissolved_organization_takes_no_rows(client, cast):
    cast.branch_a2.status = Organization.Status.DISSOLVED
    cast.branch_a2.save()
    client.force_login(cast.committee_a)
    upload(client, "members", members_file(member(org="BR-A2")))
    assert errors_of(latest_job())[(2, "所在组织编码")] == zh(M["dissolved"], code="BR-A2")


def test_a_change_between_check_and_confirmation_writes_nothing(client, cast, monkeypatch):
    monkeypatch.setattr(roll_import, "CHUNK", 2)  # the first chunks are written before the clash is met
    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(*(member(f"党员{i}") for i in range(5))))
    job = latest_job()
    assert job.status == ImportJob.Status.VALID
    MemberFactory(name="党员4", organization=cast.branch_a, birth_date=BORN)

    confirm(client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert set(errors_of(job)) == {(6, "姓名")}
    assert not Member.objects.filter(name__in=["党员0", "党员1", "党员2", "党员3"]).exists()
    assert not AuditEntry.objects.filter(verb=AuditEntry.Verb.IMPORT).exists()


def test_more_errors_than_are_kept_are_counted(client, cast, monkeypatch):
    monkeypatch.setattr(roll_import, "MAX_ERRORS", 3)
    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(*(member(org="NOPE") for _ in range(5))))
    job = latest_job()
    assert (job.error_count, len(job.errors)) == (5, 3)
    assert zh("The first %(shown)s are listed.", shown=3) in client.get(job.get_absolute_url()).content.decode()


# --- Scope -------------------------------------------------------------------------------------


def test_a_secretary_cannot_import_organizations(client, cast):
    client.force_login(cast.secretary_a)
    assert client.get(reverse("portal:roll_import", args=["organizations"])).status_code == 403
    assert client.get(reverse("portal:roll_template", args=["organizations"])).status_code == 403
    response = upload(client, "organizations", orgs_file(org("一支部", "X-1", "BR-A")))
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    refused = AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED, actor=cast.secretary_a)
    assert refused.count() == 3 and refused.first().changes["action"] == "organization.import"


def test_users_without_an_import_role_are_refused(client, cast):
    client.force_login(cast.member_user)
    assert client.get(reverse("portal:roll_import", args=["members"])).status_code == 403
    client.logout()
    response = client.get(reverse("portal:roll_import", args=["members"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unknown_kind_is_404(client, cast):
    client.force_login(cast.office)
    assert client.get(reverse("portal:roll_import", args=["units"])).status_code == 404


def test_a_secretary_cannot_import_members_into_another_branch(client, cast):
    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(member(org="BR-A"), member("钱七", org="BR-A2")))
    job = latest_job()
    assert job.status == ImportJob.Status.INVALID
    assert set(errors_of(job)) == {(3, "所在组织编码")}


def test_an_import_can_be_limited_to_one_organization(client, cast):
    client.force_login(cast.committee_a)
    upload(client, "members", members_file(member(org="BR-A"), member("钱七", org="BR-A2")), organization="BR-A")
    job = latest_job()
    assert job.organization == cast.branch_a
    assert set(errors_of(job)) == {(3, "所在组织编码")}


def test_the_limit_must_be_in_the_users_area(client, cast):
    client.force_login(cast.secretary_a)
    response = upload(client, "members", members_file(member()), organization="BR-B")
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_a_job_is_seen_by_its_creator_and_administrators_only(client, cast):
    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(member()))
    job = latest_job()
    urls = [reverse("portal:roll_import_job", args=[job.code]), reverse("portal:roll_import_status", args=[job.code])]

    client.force_login(cast.secretary_b)
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED, actor=cast.secretary_b).count() == 2
    assert confirm(client, job).status_code == 404
    client.force_login(cast.committee_a)  # even the officer above the branch
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(cast.admin)
    assert [client.get(url).status_code for url in urls] == [200, 200]
    assert confirm(client, job).status_code == 403  # administrators look; the uploader confirms
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID


def test_the_task_checks_the_rights_again(client, cast):
    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(member()))
    job = latest_job()
    RoleAssignment.objects.filter(user=cast.secretary_a).delete()

    confirm(client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.message == zh(M["no_right"])
    assert not Member.objects.filter(name="赵六").exists()


# --- Files refused as a whole: a clear message, never a 500, no job ------------------------------


def _refused(client, cast, content, name="名册.xlsx"):
    client.force_login(cast.secretary_a)
    response = upload(client, "members", content, name=name)
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    return " ".join(response.context["form"].errors["file"])


def test_a_file_that_is_not_xlsx_is_refused(client, cast):
    assert _refused(client, cast, b"name,gender\n", name="名册.csv") == zh(M["type"])


def test_an_xls_or_password_protected_file_is_refused(client, cast):
    assert _refused(client, cast, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) == zh(M["old_format"])


def test_a_text_file_named_xlsx_is_refused(client, cast):
    assert _refused(client, cast, "姓名,性别\n".encode()) == zh(M["damaged"])


def test_a_corrupt_zip_is_refused(client, cast):
    content = members_file(member())
    assert _refused(client, cast, content[: len(content) // 2]) == zh(M["damaged"])


def test_a_zip_with_a_corrupt_entry_is_refused(client, cast):
    content = members_file(member())
    broken = replace_entry(content, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'>")
    assert _refused(client, cast, broken) == zh(M["damaged"])


def test_a_file_over_the_size_limit_is_refused(client, cast, settings):
    content = members_file(member())
    settings.IMPORT_MAX_BYTES = len(content) - 1
    with translation.override("zh-hans"):
        sizes = {"size": filesizeformat(len(content)), "limit": filesizeformat(len(content) - 1)}
    assert _refused(client, cast, content) == zh(M["size"], **sizes)


def test_a_zip_bomb_is_refused_by_its_declared_size(client, cast, settings):
    settings.IMPORT_MAX_BYTES = 100_000
    content = replace_entry(members_file(member()), "xl/media/padding.bin", bytes(5_000_000))
    assert len(content) < 100_000  # small on the wire, 5 MB unpacked
    with translation.override("zh-hans"):
        limit = filesizeformat(1_000_000)
    assert _refused(client, cast, content) == zh(M["unpacked"], limit=limit)


ENTITIES = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
"""
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_BOMB = ENTITIES + b'<worksheet xmlns="' + MAIN + b'"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
SHEET_BOMB += b'<row r="2"><c r="A2" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
STRINGS_BOMB = ENTITIES + b'<sst xmlns="' + MAIN + b'"><si><t>&lol3;</t></si></sst>'
STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def test_an_xml_entity_bomb_in_a_sheet_is_refused(client, cast):
    assert openpyxl.DEFUSEDXML  # openpyxl parses with defusedxml
    content = replace_entry(members_file(member()), "xl/worksheets/sheet1.xml", SHEET_BOMB)
    assert _refused(client, cast, content) == zh(M["entities"])


def test_an_xml_entity_bomb_in_the_shared_strings_is_refused(client, cast):
    content = members_file(member())
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml").replace(b"</Types>", STRINGS_TYPE)
    content = replace_entry(replace_entry(content, "[Content_Types].xml", types), "xl/sharedStrings.xml", STRINGS_BOMB)
    assert _refused(client, cast, content) == zh(M["entities"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            lambda: xlsx(["姓名", "性别"], [["赵六", "男"]] * 40),
            lambda: zh(M["headers"], columns="出生日期、党员类别、入党日期、所在组织编码"),
        ),
        (
            lambda: replace_entry(members_file(*[member()] * 20), "xl/worksheets/sheet1.xml", SHEET_BOMB * 3),
            lambda: zh(M["entities"]),
        ),
    ],
)
def test_a_large_file_is_opened_by_the_task_only(
    client, cast, settings, django_capture_on_commit_callbacks, content, message
):
    """Past a size the upload request does not parse the file: the task reports what is wrong with it."""
    settings.IMPORT_SYNC_ROWS = 1
    client.force_login(cast.secretary_a)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = upload(client, "members", content())
    job = latest_job()
    assert response.status_code == 302 and len(queued) == 1
    assert job.status == ImportJob.Status.INVALID
    assert job.errors == [{"row": None, "column": "", "message": message()}]


def test_missing_columns_are_named(client, cast):
    message = _refused(client, cast, xlsx(["姓名", "性别"], [["赵六", "男"]]))
    assert "出生日期" in message and "所在组织编码" in message and "手机号码" not in message


def test_a_file_without_rows_is_refused(client, cast):
    assert _refused(client, cast, members_file()) == zh(M["no_rows"])


def test_a_file_with_too_many_rows_is_refused(client, cast, settings):
    settings.IMPORT_MAX_ROWS = 3
    assert _refused(client, cast, members_file(*(member(f"党员{i}") for i in range(4)))) == zh(
        M["too_many_rows"], limit=3
    )


def test_too_many_rows_found_by_the_task(client, cast, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_SYNC_ROWS, settings.IMPORT_MAX_ROWS = 2, 4
    client.force_login(cast.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "members", members_file(*(member(f"党员{i}") for i in range(6))))
    job = latest_job()
    assert job.status == ImportJob.Status.INVALID
    assert job.errors == [{"row": None, "column": "", "message": zh(M["too_many_rows"], limit=4)}]


def test_blank_rows_are_skipped_and_row_numbers_kept(client, cast):
    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(member(), [None] * 10, ["  "] + [None] * 9, member("钱七", org="NOPE")))
    assert set(errors_of(latest_job())) == {(5, "所在组织编码")}


# --- Large files: the Celery task, with progress --------------------------------------------------


def test_a_large_file_is_checked_and_written_by_the_task_with_progress(
    client, cast, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_ROWS = 2
    monkeypatch.setattr(roll_import, "CHUNK", 2)
    reported = []
    report = roll_import.report_progress
    monkeypatch.setattr(
        roll_import, "report_progress", lambda job, pct: reported.append((job.status, pct)) or report(job, pct)
    )
    client.force_login(cast.secretary_a)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        upload(client, "members", members_file(*(member(f"党员{i}") for i in range(9))))

    job = latest_job()
    assert len(queued) == 1  # handed to the task after the commit
    assert job.status == ImportJob.Status.VALID and job.progress == 100
    checking = [pct for status, pct in reported if status == ImportJob.Status.VALIDATING]
    assert len(checking) > 2 and checking == sorted(checking)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        confirm(client, job)

    job.refresh_from_db()
    assert len(queued) == 1
    assert job.status == ImportJob.Status.DONE and job.imported_rows == 9 and job.progress == 100
    writing = [pct for status, pct in reported if status == ImportJob.Status.IMPORTING]
    assert len(writing) > 2 and writing == sorted(writing)
    assert Member.objects.filter(name__startswith="党员", organization=cast.branch_a).count() == 9
    status = client.get(reverse("portal:roll_import_status", args=[job.code])).json()
    assert status == {"status": "done", "status_display": zh("Imported"), "progress": 100, "running": False}


def test_the_job_page_polls_while_the_job_runs(client, cast):
    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(member()))
    job = latest_job()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, progress=40)

    page = client.get(job.get_absolute_url()).content.decode()
    status = client.get(reverse("portal:roll_import_status", args=[job.code])).json()

    assert '<progress id="job-progress-bar"' in page and 'value="40"' in page
    assert "portal/roll_job.js" in page
    assert "<script>" not in page and "style=" not in page  # the CSP allows neither
    assert status == {"status": "importing", "status_display": zh("Importing"), "progress": 40, "running": True}


def test_a_failing_task_leaves_the_job_failed(client, cast, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.IMPORT_SYNC_ROWS = 1

    def broken(self, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(roll_import.MemberImporter, "save", broken)
    client.force_login(cast.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "members", members_file(member("赵六"), member("钱七")))
    job = latest_job()
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, job)

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.FAILED and job.message == zh(M["crashed"])
    assert not Member.objects.filter(name__in=["赵六", "钱七"]).exists()
    assert job.message in client.get(job.get_absolute_url()).content.decode()


# --- Templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "headers"), [("members", MEMBER_HEADERS), ("organizations", ORG_HEADERS)])
def test_the_template_has_chinese_headers_and_an_example_row(client, cast, kind, headers):
    client.force_login(cast.office)
    response = client.get(reverse("portal:roll_template", args=[kind]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]][: len(headers)] == headers
    assert sheet.max_row == 2 and all(c.value is not None for c in sheet[2][:5])
    assert sheet.freeze_panes == "A2"
    assert len(workbook.worksheets) == 2  # the instructions


def test_the_unchanged_template_does_not_import_its_example(client, cast):
    client.force_login(cast.secretary_a)
    template = client.get(reverse("portal:roll_template", args=["members"]))
    upload(client, "members", b"".join(template.streaming_content))
    job = latest_job()
    assert job.status == ImportJob.Status.INVALID
    assert set(errors_of(job)) == {(2, "所在组织编码")}


def test_the_member_list_links_to_import_and_export(client, cast):
    client.force_login(cast.secretary_a)
    page = client.get(reverse("portal:member_list")).content.decode()
    assert reverse("portal:roll_import", args=["members"]) in page and reverse("portal:member_export") in page
    client.force_login(cast.member_user)
    page = client.get(reverse("portal:member_list")).content.decode()
    assert reverse("portal:roll_import", args=["members"]) not in page
    assert reverse("portal:member_export") not in page


def test_uploaded_files_are_deleted_after_the_keeping_period(client, cast, settings):
    """Roll files hold personal data: the daily clean-up deletes them once their job is older than
    IMPORT_KEEP_DAYS; a job still waiting for its confirmation fails and says why."""
    from portal.tasks import clean_up_imports

    client.force_login(cast.secretary_a)
    upload(client, "members", members_file(member()))
    waiting = latest_job()
    upload(client, "members", members_file(member(name="孙七")))
    done = latest_job()
    confirm(client, done)
    upload(client, "members", members_file(member(name="周八")))
    fresh = latest_job()
    assert (waiting.status, ImportJob.objects.get(pk=done.pk).status) == (ImportJob.Status.VALID, ImportJob.Status.DONE)
    storage = waiting.file.storage
    names = {job.pk: job.file.name for job in (waiting, done, fresh)}
    old = timezone.now() - datetime.timedelta(days=settings.IMPORT_KEEP_DAYS + 1)
    ImportJob.objects.filter(pk__in=[waiting.pk, done.pk]).update(created_at=old)

    assert clean_up_imports() == 2
    assert not storage.exists(names[waiting.pk]) and not storage.exists(names[done.pk])
    assert storage.exists(names[fresh.pk])
    waiting.refresh_from_db()
    assert waiting.status == ImportJob.Status.FAILED and not waiting.file
    assert waiting.message == zh("The file waited too long for its confirmation and was deleted: upload it again.")
    assert ImportJob.objects.get(pk=done.pk).status == ImportJob.Status.DONE
    assert confirm(client, waiting).status_code in (200, 302)
    assert not Member.objects.filter(name="赵六").exists()  # a failed job imports nothing
    assert clean_up_imports() == 0
    assert any(e["task"] == "portal.tasks.clean_up_imports" for e in settings.CELERY_BEAT_SCHEDULE.values())
