"""Helpers shared by the portal tests."""

from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import translation
from django.utils.translation import gettext

from awards.models import (
    Article,
    ArticlePhoto,
    AwardCategory,
    AwardQuota,
    AwardRound,
    Nomination,
    NominationAttachment,
    NominationStep,
    Objection,
)
from campaigns.models import (
    ActivityCarrier,
    Campaign,
    CriteriaSet,
    Criterion,
    ImplementationPlan,
    Indicator,
    IndicatorReport,
    Meeting,
    Milestone,
    Phase,
    PlanAttachment,
    TargetAgreement,
)
from commitments.models import Comment, Commitment, Event, Evidence, Item, ProgressUpdate
from evaluations import mass_models
from evaluations.models import (
    GradeBands,
    MemberReport,
    MemberReview,
    MemberScore,
    OrganizationReview,
    OrganizationScore,
    Reopening,
    SelfAssessment,
    SelfReview,
)
from portal.models import (
    AuditEntry,
    ExportJob,
    ImportJob,
    Member,
    MemberTransfer,
    Notification,
    Organization,
    OutboxMessage,
    RoleAssignment,
    Unit,
)

STATE_MODELS = (Organization, Member, MemberTransfer, RoleAssignment, Unit, ExportJob)
STATE_MODELS += (
    Campaign,
    Phase,
    Milestone,
    CriteriaSet,
    Criterion,
    ActivityCarrier,
    ImplementationPlan,
    PlanAttachment,
)

STATE_MODELS += (ImportJob,)
STATE_MODELS += (Comment,)  # the public's comments: posted, then moderated
STATE_MODELS += (Meeting, Commitment, Item, ProgressUpdate, Evidence, Event)
STATE_MODELS += (TargetAgreement, Indicator, IndicatorReport)
STATE_MODELS += (Notification, OutboxMessage)  # a user's notifications, and the work queued for Celery
STATE_MODELS += (OrganizationReview, OrganizationScore, Reopening, GradeBands)  # the superior's scores
STATE_MODELS += (SelfReview, MemberReport, SelfAssessment, MemberReview, MemberScore)  # the own review
STATE_MODELS += (mass_models.Round, mass_models.Option, mass_models.Question, mass_models.Participant)  # evaluation
STATE_MODELS += (mass_models.CodeBatch, mass_models.BallotCode, mass_models.Ballot, mass_models.Answer)  # the ballots
STATE_MODELS += (mass_models.PaperBatch, mass_models.PaperCount, mass_models.Result)  # paper ballots, results
STATE_MODELS += (mass_models.LedgerEntry, mass_models.Rectification)  # the ledger, rectifications

STATE_MODELS += (AwardRound, AwardCategory, AwardQuota, Nomination, NominationStep, NominationAttachment)
STATE_MODELS += (Objection, Article, ArticlePhoto)  # awards: the public's objections, the articles

def db_state():
    """Every row of the roll (organizations, members, transfers, roles, units, users) and the change log.

    Refused-access and download entries of the audit trail are left out: a refusal is logged but changes
    nothing, and a download (a GET) is logged (who took which file) but changes nothing either.
    """
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in STATE_MODELS}
    state["User"] = list(get_user_model().objects.order_by("pk").values())
    state["AuditEntry"] = list(
        AuditEntry.objects.exclude(verb__in=(AuditEntry.Verb.DENIED, AuditEntry.Verb.EXPORT))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return state


def zh(message, **params):
    """A message (a msgid or a lazy translation) as the Chinese UI, the default, shows it."""
    with translation.override("zh-hans"):
        text = str(gettext(message)) if isinstance(message, str) else str(message)
    return text % params if params else text


def form_errors(response, field=NON_FIELD_ERRORS):
    """The errors of ``field`` in the form the response re-rendered, in Chinese."""
    with translation.override("zh-hans"):
        return list(response.context["form"].errors.get(field, []))


def flashed(response):
    """The texts of the messages (``django.contrib.messages``) the response carries or the next page shows."""
    return [str(m) for m in get_messages(response.wsgi_request)]
