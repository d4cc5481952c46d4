"""factory-boy factories shared by every test package (one family per app below)."""

from __future__ import annotations

import factory
from stdnum import luhn

from core.models import Departement, Relay, User
from core.roles import Role
from enrolment.models import Company, Enrolment


def valid_siret(n: int) -> str:
    siren = f"{30000000 + n:08d}"
    siren += luhn.calc_check_digit(siren)
    for nic in range(10, 100000):
        if luhn.is_valid(f"{siren}{nic:05d}"):
            return f"{siren}{nic:05d}"
    raise AssertionError("unreachable")


def relay(slug: str = "afpi") -> Relay:
    return Relay.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Utilisateur{n}")
    role = Role.OWNER
    password = factory.django.Password("secret-pass-123")

    class Params:
        owner = factory.Trait(role=Role.OWNER)
        staff = factory.Trait(
            role=Role.RELAY_STAFF, relay=factory.LazyFunction(lambda: relay("afpi"))
        )
        director = factory.Trait(role=Role.DIRECTOR)
        region = factory.Trait(role=Role.REGION)
        consultant = factory.Trait(role=Role.CONSULTANT)
        trainer = factory.Trait(role=Role.TRAINER)
        admin = factory.Trait(role=Role.ADMIN, is_superuser=True, is_staff=True)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    siret = factory.Sequence(valid_siret)
    name = factory.Sequence(lambda n: f"Entreprise de test {n}")
    naf_code = "25.62B"
    headcount = 40
    address = "1 rue de l'Industrie"
    postcode = "69100"
    city = "Villeurbanne"
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="69"))
    relay = factory.LazyAttribute(lambda o: o.departement.default_relay)
    owner = factory.SubFactory(UserFactory, role=Role.OWNER)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    company = factory.SubFactory(CompanyFactory)
    created_by = factory.LazyAttribute(lambda o: o.company.owner)
