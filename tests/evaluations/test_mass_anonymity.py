"""Anonymity of the online ballot (see the design in evaluations/mass_models.py): no join path between codes
and ballots in the schema or in the data, only hashes of the codes, nothing about the voter."""

import uuid

import pytest
from django.db import connection, models
from django.urls import reverse

from evaluations import mass_codes
from evaluations.mass_models import Answer, Ballot, BallotCode, CodeBatch, Participant
from portal.models import AuditEntry

from .mass_fixtures import *  # noqa: F403
from .mass_fixtures import codes_for, vote

BALLOT_SIDE = (Ballot, Answer)
CODE_SIDE = (BallotCode, CodeBatch)
TIME_FIELDS = (models.DateTimeField, models.DateField, models.TimeField)


def related_models(model):
    return {f.related_model for f in model._meta.get_fields() if f.is_relation and f.related_model}


@pytest.mark.parametrize("model", BALLOT_SIDE + (BallotCode,))
def test_no_time_is_stored_on_either_side(model):
    assert not [f.name for f in model._meta.get_fields() if isinstance(f, TIME_FIELDS)]


def test_ballots_have_random_keys_and_nothing_about_the_voter():
    assert [f.name for f in Ballot._meta.concrete_fields] == ["id", "participant", "channel", "comment"]
    assert [f.name for f in Answer._meta.concrete_fields] == ["id", "ballot", "question", "member", "option"]
    for model in (*BALLOT_SIDE, BallotCode):
        pk = model._meta.pk
        assert isinstance(pk, models.UUIDField) and pk.default is uuid.uuid4, model
    assert [f.name for f in BallotCode._meta.concrete_fields] == ["id", "batch", "participant", "digest", "used"]


def test_no_relation_joins_a_ballot_to_a_code():
    for ballot_model in BALLOT_SIDE:
        assert not related_models(ballot_model) & set(CODE_SIDE), ballot_model
    for code_model in CODE_SIDE:
        assert not related_models(code_model) & set(BALLOT_SIDE), code_model
    # What both sides share is the evaluated organization, which every ballot of it has alike.
    assert related_models(Ballot) & related_models(BallotCode) == {Participant}


def test_the_database_tables_have_no_join_column(db):
    with connection.cursor() as cursor:
        ballot_columns = {c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)}
        code_columns = {
            c.name for c in connection.introspection.get_table_description(cursor, BallotCode._meta.db_table)
        }
    assert ballot_columns & code_columns == {"id", "participant_id"}


def test_only_the_hash_of_a_code_is_stored_and_it_never_travels_in_a_url(client, participant_a):
    code = codes_for(participant_a)[0]
    stored = BallotCode.objects.get()
    assert stored.digest == mass_codes.digest(code) and len(stored.digest) == 64
    assert mass_codes.ballot_url(code).endswith(f"{reverse('evaluations:mass_ballot')}#{code}")
    page = client.post(reverse("evaluations:mass_ballot"), {"code": code})
    assert reverse("evaluations:mass_ballot_submit") in page.text and "?code=" not in page.text
    response = vote(client, code, participant_a, comment="楼道灯坏了")
    assert code not in response["Location"]
    dump = []
    with connection.cursor() as cursor:
        for model in (Ballot, Answer, BallotCode, CodeBatch, AuditEntry):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608 - our own table names
            dump += [str(value) for row in cursor.fetchall() for value in row]
    assert not any(code in value or mass_codes.grouped(code) in value for value in dump)


def test_the_keys_of_ballots_say_nothing_about_the_order_of_voting(client, participant_a):
    for code in codes_for(participant_a, 12):
        assert vote(client, code, participant_a).status_code == 302
    keys = list(Ballot.objects.values_list("id", flat=True)) + list(Answer.objects.values_list("id", flat=True))
    assert len(set(keys)) == 12 + 12 * 5
    assert all(isinstance(pk, uuid.UUID) and pk.version == 4 for pk in keys)  # random, not a sequence


def test_casting_writes_no_audit_entry_and_no_session(client, participant_a):
    from django.contrib.sessions.models import Session

    code = codes_for(participant_a)[0]
    before = AuditEntry.objects.count()
    vote(client, code, participant_a)
    assert AuditEntry.objects.count() == before
    assert not Session.objects.exists()
