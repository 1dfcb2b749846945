"""Factories shared by the whole suite."""

import datetime

import factory
from django.contrib.auth import get_user_model

from portal.models import Member, Organization, RoleAssignment, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-test-12345")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"第{n}党支部")
    code = factory.Sequence(lambda n: f"ORG-{n}")
    level = factory.LazyAttribute(lambda o: "branch" if o.parent else "city")
    sector = "community"
    parent = None


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = "m"
    birth_date = datetime.date(1980, 5, 1)
    joined_on = datetime.date(2005, 7, 1)
    status = Member.Status.FULL
    organization = factory.SubFactory(OrganizationFactory)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"企业{n}")
    kind = Unit.Kind.ENTERPRISE
    organization = factory.SubFactory(OrganizationFactory)


def grant(user, role, organization=None):
    RoleAssignment.objects.create(user=user, role=role, organization=organization)
    return user
