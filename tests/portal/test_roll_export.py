"""Export of the member roll to .xlsx: content, safety, scope, filters, a fixed number of queries."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import roll_import
from portal.models import AuditEntry, ImportJob, Member

from ..factories import MemberFactory
from .test_roll_import import MEMBER_HEADERS, XLSX, zh


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path}},
    }
    cache.clear()


def export(client, **query):
    response = client.get(reverse("portal:member_export"), query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX and "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def sheet_of(content):
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


def names(content):
    return sorted(row[0] for row in sheet_of(content).iter_rows(min_row=2, values_only=True))


def member_with_every_field(organization, **changes):
    """钱七, with a value other than the default in every column of the roll."""
    values = {
        "gender": "f",
        "status": "probationary",
        "role": "deputy",
        "mobile": True,
        "staff_kind": "management",
        "phone": "13900000002",
        "birth_date": datetime.date(1990, 2, 3),
        "joined_on": datetime.date(2020, 7, 1),
    }
    return MemberFactory(name="钱七", organization=organization, **{**values, **changes})


def test_the_export_has_the_import_headers_chinese_values_and_real_dates(client, cast):
    member_with_every_field(cast.branch_a)
    client.force_login(cast.secretary_a)

    sheet = sheet_of(export(client))

    assert [c.value for c in sheet[1]] == MEMBER_HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width > 8 and sheet.column_dimensions["F"].width > 8
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"张三", "钱七"}
    qian = rows["钱七"]
    assert [c.value for c in qian[:2]] == ["钱七", "女"]
    assert qian[2].is_date and qian[2].value.date() == datetime.date(1990, 2, 3)
    assert qian[4].is_date and qian[4].value.date() == datetime.date(2020, 7, 1)
    assert [c.value for c in qian[3:]][0] == "预备"
    assert [c.value for c in qian[5:]] == ["BR-A", "副书记", "是", "管理层", "13900000002"]
    assert [c.value for c in rows["张三"][6:9]] == [None, "否", None]


def test_text_that_looks_like_a_formula_is_written_as_text(client, cast):
    dangerous = ['=HYPERLINK("http://x","点")', "+86 138", "-1+1", "@SUM(A1)", "\t=1", "\r=2"]
    for index, text in enumerate(dangerous):
        MemberFactory(name=text, organization=cast.branch_a, phone=text, birth_date=datetime.date(1980, 1, index + 1))
    client.force_login(cast.secretary_a)

    content = export(client)

    sheet = sheet_of(content)
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # XML turns a carriage return into a line feed on reading, as Excel does.
    assert {text.replace("\r", "\n") for text in dangerous} <= {cell.value for cell in cells}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    assert all(cell.quotePrefix for cell in cells if isinstance(cell.value, str) and cell.value[0] in "=+-@\t\n")


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("secretary_a", ["张三"]),
        ("committee_a", ["张三", "李四"]),
        ("secretary_b", ["王五"]),
        ("office", ["张三", "李四", "王五"]),
    ],
)
def test_the_export_holds_only_the_users_area(client, cast, user, expected):
    client.force_login(getattr(cast, user))
    assert names(export(client)) == sorted(expected)


def test_a_subtree_outside_the_area_exports_nothing(client, cast):
    client.force_login(cast.committee_a)
    assert names(export(client, org="TOWN-B")) == []
    assert names(export(client, org="OTHER")) == []


def test_the_export_honours_the_member_list_filters(client, cast):
    MemberFactory(name="钱七", organization=cast.branch_a2, status="probationary")
    client.force_login(cast.office)
    assert names(export(client, org="TOWN-A")) == ["张三", "李四", "钱七"]
    assert names(export(client, org="TOWN-A", status="probationary")) == ["钱七"]
    assert names(export(client, q="王")) == ["王五"]
    removed = Member.objects.get(name="李四")
    removed.remove_from_roll(cast.office, "迁出")
    assert names(export(client, org="TOWN-A")) == ["张三", "钱七"]


def test_an_invalid_filter_goes_back_to_the_list(client, cast):
    client.force_login(cast.office)
    response = client.get(reverse("portal:member_export"), {"status": "nonsense"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:member_list"))


def test_who_may_not_export(client, cast):
    client.force_login(cast.member_user)
    assert client.get(reverse("portal:member_export")).status_code == 403
    for user in (cast.inactive, None):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(reverse("portal:member_export"))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_organization_page_links_to_the_export_of_its_subtree(client, cast):
    url = reverse("portal:org_detail", args=[cast.town_a.pk])
    client.force_login(cast.committee_a)
    assert f"{reverse('portal:member_export')}?org=TOWN-A" in client.get(url).content.decode()
    client.force_login(cast.member_user)
    page = client.get(reverse("portal:org_detail", args=[cast.branch_a.pk])).content.decode()
    assert reverse("portal:member_export") not in page


def test_an_export_imports_again(client, cast):
    """Same headers and values: every row of a re-imported export is found already on the roll, nothing else."""
    MemberFactory(
        name="钱七", organization=cast.branch_a, gender="f", role="worker", mobile=True, phone="+8613900000002"
    )
    client.force_login(cast.secretary_a)
    content = export(client)

    upload = SimpleUploadedFile("export.xlsx", content, content_type=XLSX)
    client.post(reverse("portal:roll_import", args=["members"]), {"file": upload})

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "姓名"), (3, "姓名")]
    assert {e["message"] for e in job.errors} == {zh(roll_import.MESSAGES["member_exists"])}


@pytest.mark.parametrize("size", [3, 60])
def test_the_export_runs_a_fixed_number_of_queries(client, cast, size, django_assert_num_queries):
    for index in range(size):
        MemberFactory(name=f"党员{index}", organization=cast.branch_a2)
    client.force_login(cast.office)
    # session, user, roles, the user's member record, the filter's organization, the audit entry, the members,
    # and the session saved again (a savepoint, the update, its release)
    with django_assert_num_queries(10):
        content = export(client, org="TOWN-A")
    assert len(names(content)) == size + 2


def test_the_export_is_audited_with_its_filters(client, cast):
    client.force_login(cast.secretary_a)
    export(client, org="BR-A", q="张")
    entry = AuditEntry.objects.get(verb=AuditEntry.Verb.EXPORT)
    assert (entry.actor, entry.organization) == (cast.secretary_a, cast.branch_a)
    assert "org=BR-A" in entry.changes["filters"] and entry.changes["file_name"].endswith(".xlsx")
