"""Factories for tests. Domain objects are made through the services (so search and audit are
real); users are plain model rows because creating them is not a domain action under test."""

import itertools

import factory

from dongne.core.choices import Role
from dongne.core.korean.validators import (
    business_number_check_digit,
    corporate_number_check_digit,
    format_business_number,
    format_corporate_number,
)
from dongne.core.models import User

PASSWORD = "test-password-2024"
_serial = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.dongne.kr")
    name = factory.Sequence(lambda n: f"사용자{n}")
    role = Role.MEMBER_REP
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def business_number(seed=None):
    """A valid, unique 사업자등록번호."""
    n = next(_serial) if seed is None else seed
    first9 = f"221{81:02d}{n % 10000:04d}"
    return format_business_number(first9 + str(business_number_check_digit(first9)))


def corporate_number(seed=None):
    n = next(_serial) if seed is None else seed
    first12 = f"141111{n % 1000000:06d}"
    return format_corporate_number(first12 + str(corporate_number_check_digit(first12)))


def make_organisation(actor, **data):
    """An organisation made through the service (indexed for search, audited)."""
    from dongne.network import services

    data.setdefault("kind", "member_company")
    data.setdefault("name", f"테스트기업{next(_serial)}")
    return services.create_organisation(actor=actor, data=data)


def make_representative(org, **user_kwargs):
    """A member-rep user linked to ``org`` as its representative."""
    from dongne.network.models import Affiliation, Person

    user = UserFactory(role=user_kwargs.pop("role", Role.MEMBER_REP), **user_kwargs)
    person = Person.objects.create(name=user.name, email=user.email, user=user)
    Affiliation.objects.create(person=person, organisation=org, is_representative=True)
    return user
