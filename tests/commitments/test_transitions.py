"""Every refused transition: a clear message, the page again (or 403/404 from the scope), nothing changed."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, TransitionError

from .factories import make_commitment, meeting_of, open_assessment
from .helpers import item_row, items_payload, pdf, state, zh

pytestmark = pytest.mark.django_db


def refused(client, url, data=None, form="form"):
    """POST ``url``; assert the form comes back with an error and nothing changed; return the error text."""
    before = state()
    response = client.post(url, data or {})
    assert response.status_code == 200
    errors = response.context[form].errors
    assert errors
    assert state() == before
    return " ".join(str(e) for e in errors.get("__all__", [])) or str(errors)


def test_transitions_change_nothing_on_get(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    client.force_login(fx.committee_a)
    before = state()
    for name in ("accept", "return"):
        response = client.get(reverse(f"commitments:{name}", args=[commitment.pk]))
        assert response.status_code == 200
    assert state() == before


def test_submit_without_items(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, items=0)
    commitment.attach_meeting(None, meeting_of(fx.campaign, fx.branch_a))
    client.force_login(fx.secretary_a)
    message = refused(client, reverse("commitments:submit", args=[commitment.pk]))
    assert zh("Add at least one item before submitting.") in message


def test_organization_submit_without_meeting(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a)
    client.force_login(fx.secretary_a)
    message = refused(client, reverse("commitments:submit", args=[commitment.pk]))
    assert zh("Record the general meeting of members that discussed the commitment first.") in message


def test_a_member_commitment_needs_no_meeting(client, fx):
    commitment = make_commitment(fx.campaign, member=fx.member_a)
    client.force_login(fx.secretary_a)
    assert client.post(reverse("commitments:submit", args=[commitment.pk])).status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == "submitted"


def test_meeting_of_another_organization(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a)
    other = meeting_of(fx.campaign, fx.branch_a2)
    # Through the page, the meetings offered are the branch's own: another's is not a valid choice.
    client.force_login(fx.secretary_a)
    message = refused(
        client,
        reverse("commitments:meeting", args=[commitment.pk]),
        {"choose": "1", "meeting": other.pk},
        form="choose_form",
    )
    assert zh("Select a valid choice. That choice is not one of the available choices.") in message
    # And the model refuses it however it comes.
    with pytest.raises(TransitionError, match=zh("The meeting must be one of this organization in this campaign.")):
        commitment.attach_meeting(fx.secretary_a, other)
    Commitment.objects.filter(pk=commitment.pk).update(meeting=other)
    message = refused(client, reverse("commitments:submit", args=[commitment.pk]))
    assert zh("The meeting must be one of this organization in this campaign.") in message


def test_a_review_meeting_is_not_a_general_meeting(fx):
    commitment = make_commitment(fx.campaign, fx.branch_a)
    with pytest.raises(TransitionError, match=zh("The commitment must be discussed at a general meeting of members.")):
        commitment.attach_meeting(None, meeting_of(fx.campaign, fx.branch_a, kind="review"))


def test_the_branch_secretary_cannot_accept_the_branch_commitment(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    client.force_login(fx.secretary_a)
    before = state()
    assert client.get(reverse("commitments:accept", args=[commitment.pk])).status_code == 403
    assert client.post(reverse("commitments:accept", args=[commitment.pk])).status_code == 403
    assert client.post(reverse("commitments:return", args=[commitment.pk]), {"reason": "x"}).status_code == 403
    assert state() == before


def test_accept_outside_the_subtree_is_not_found(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    client.force_login(fx.committee_b)
    before = state()
    assert client.post(reverse("commitments:accept", args=[commitment.pk])).status_code == 404
    assert client.post(reverse("commitments:return", args=[commitment.pk]), {"reason": "x"}).status_code == 404
    assert state() == before


def test_return_without_a_reason(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    client.force_login(fx.committee_a)
    message = refused(client, reverse("commitments:return", args=[commitment.pk]), {"reason": "   "})
    assert zh("Say why the commitment is returned, so that it can be corrected.") in message
    with pytest.raises(TransitionError, match=zh("Say why the commitment is returned, so that it can be corrected.")):
        commitment.return_for_changes(fx.committee_a, "")


@pytest.mark.parametrize("current", ["draft", "submitted", "returned"])
def test_publish_before_accept(client, fx, current):
    commitment = make_commitment(fx.campaign, fx.branch_a, state=current)
    client.force_login(fx.secretary_a)
    message = refused(client, reverse("commitments:publish", args=[commitment.pk]))
    assert (
        zh("This commitment is %(state)s; it cannot be %(action)s now.", state=current.capitalize(), action="Published")
        in message
    )


def test_accept_twice_and_accept_a_draft(client, fx):
    accepted = make_commitment(fx.campaign, fx.branch_a, state="accepted")
    draft = make_commitment(fx.campaign, fx.branch_a2)
    client.force_login(fx.committee_a)
    refused(client, reverse("commitments:accept", args=[accepted.pk]))
    refused(client, reverse("commitments:accept", args=[draft.pk]))


@pytest.mark.parametrize("current", ["draft", "submitted", "accepted"])
def test_progress_on_an_unpublished_commitment(client, fx, current):
    commitment = make_commitment(fx.campaign, fx.branch_a, state=current)
    item = commitment.items.get()
    client.force_login(fx.secretary_a)
    message = refused(
        client, reverse("commitments:progress", args=[item.pk]), {"text": "进展", "progress": 50, "files": [pdf()]}
    )
    assert zh("Progress can be reported only on a published commitment.") in message


def test_assess_before_the_fulfilment_step_opens(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="published")
    item = commitment.items.get()
    client.force_login(fx.committee_a)
    page = client.get(reverse("commitments:assess", args=[item.pk]))
    assert zh("The campaign's fulfilment assessment has not opened yet.") in page.content.decode()
    message = refused(client, reverse("commitments:assess", args=[item.pk]), {"fulfilment": "fulfilled", "comment": ""})
    assert zh("The campaign's fulfilment assessment has not opened yet.") in message


def test_assess_an_unpublished_commitment(client, fx):
    open_assessment(fx.campaign)
    commitment = make_commitment(fx.campaign, fx.branch_a, state="accepted")
    client.force_login(fx.committee_a)
    message = refused(client, reverse("commitments:assess", args=[commitment.items.get().pk]), {"fulfilment": "not"})
    assert zh("Only a published commitment can be assessed.") in message


def test_assess_by_someone_who_is_not_the_acceptor(client, fx):
    open_assessment(fx.campaign)
    commitment = make_commitment(fx.campaign, fx.branch_a, state="published")
    item = commitment.items.get()
    before = state()
    client.force_login(fx.secretary_a)  # sees the commitment (it is the branch's), but town_a accepts it
    assert client.post(reverse("commitments:assess", args=[item.pk]), {"fulfilment": "fulfilled"}).status_code == 403
    client.force_login(fx.committee_b)  # another town: does not even see it
    assert client.post(reverse("commitments:assess", args=[item.pk]), {"fulfilment": "fulfilled"}).status_code == 404
    assert state() == before


def test_editing_after_submission_is_refused(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, state="submitted")
    client.force_login(fx.secretary_a)
    before = state()
    response = client.post(
        reverse("commitments:edit", args=[commitment.pk]), {"title": "改", "version": commitment.version}
    )
    assert response.status_code == 302 and response["Location"] == commitment.get_absolute_url()
    assert state() == before
    follow = client.get(response["Location"])
    assert [str(m) for m in follow.context["messages"]] == [zh("Only a draft or a returned commitment can be edited.")]
    with pytest.raises(TransitionError):
        commitment.attach_meeting(fx.secretary_a, meeting_of(fx.campaign, fx.branch_a))


def test_a_member_commitment_has_no_general_meeting(fx):
    commitment = make_commitment(fx.campaign, member=fx.member_a)
    with pytest.raises(
        TransitionError, match=zh("Only an organization's commitment is discussed at its general meeting.")
    ):
        commitment.attach_meeting(None, meeting_of(fx.campaign, fx.branch_a))


def test_starting_twice_and_at_the_top(client, fx):
    make_commitment(fx.campaign, fx.branch_a)
    client.force_login(fx.secretary_a)
    message = refused(
        client,
        reverse("commitments:create", args=[fx.branch_a.pk]),
        {"campaign": fx.campaign.pk, "audience": "superior", "title": "又一份"},
    )
    assert zh("There is already such a commitment for this campaign: open it instead.") in message
    # The same organization may also commit to the public: a separate commitment.
    response = client.post(
        reverse("commitments:create", args=[fx.branch_a.pk]),
        {"campaign": fx.campaign.pk, "audience": "public", "title": "向群众承诺"},
    )
    assert response.status_code == 302
    client.force_login(fx.office)
    refused(
        client,
        reverse("commitments:create", args=[fx.city.pk]),
        {"campaign": fx.campaign.pk, "audience": "superior", "title": "市委"},
    )


def test_an_item_must_serve_a_criterion_of_its_own_set_within_the_campaign(client, fx):
    commitment = make_commitment(fx.campaign, fx.branch_a, items=0)
    member_criterion = fx.campaign.criteria_sets.get(target="member").criteria.first()
    client.force_login(fx.secretary_a)
    data = items_payload(
        commitment,
        [item_row(commitment, criterion=member_criterion.pk), item_row(commitment, deadline="2001-01-01")],
    )
    before = state()
    response = client.post(reverse("commitments:edit", args=[commitment.pk]), data)
    assert response.status_code == 200
    first, second = response.context["formset"].forms
    assert "criterion" in first.errors and "deadline" in second.errors
    assert commitment.items.count() == 0
    assert [row["version"] for row in state()["Commitment"]] == [v + 1 for v in [before["Commitment"][0]["version"]]]
