"""Each role sees exactly its objects, through the one shared scoping mechanism."""

import pytest
from django.urls import reverse

from consultants.models import Expert, Mission
from core.models import Relay
from enrolment.models import Company, Enrolment
from tests.factories import CompanyFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two companies in two relays (Afpi for 69, Thésame for 74), one with a consultant."""
    lyon = CompanyFactory(name="Lyon Usinage")
    annecy = CompanyFactory(
        name="Annecy Décolletage",
        postcode="74000",
        departement_id="74",
        relay=Relay.objects.get(slug="thesame"),
    )
    e_lyon = EnrolmentFactory(company=lyon)
    e_annecy = EnrolmentFactory(company=annecy)
    consultant_user = UserFactory(consultant=True)
    consultant = Expert.objects.create(user=consultant_user, kind=Expert.Kind.CONSULTANT)
    Mission.objects.create(enrolment=e_annecy, consultant=consultant)
    return {
        "lyon": lyon,
        "annecy": annecy,
        "e_lyon": e_lyon,
        "e_annecy": e_annecy,
        "consultant": consultant_user,
    }


def test_owner_sees_only_their_company(world):
    owner = world["lyon"].owner
    assert list(Company.objects.visible_to(owner)) == [world["lyon"]]
    assert list(Enrolment.objects.visible_to(owner)) == [world["e_lyon"]]


def test_relay_staff_see_only_their_relay(world):
    afpi = UserFactory(staff=True, relay=Relay.objects.get(slug="afpi"))
    thesame = UserFactory(staff=True, relay=Relay.objects.get(slug="thesame"))
    assert list(Company.objects.visible_to(afpi)) == [world["lyon"]]
    assert list(Company.objects.visible_to(thesame)) == [world["annecy"]]
    assert list(Relay.objects.visible_to(afpi).values_list("slug", flat=True)) == ["afpi"]


def test_consultant_sees_only_their_missions(world):
    consultant = world["consultant"]
    assert list(Enrolment.objects.visible_to(consultant)) == [world["e_annecy"]]
    assert list(Company.objects.visible_to(consultant)) == [world["annecy"]]
    assert Mission.objects.visible_to(consultant).count() == 1


@pytest.mark.parametrize("trait", ["director", "region", "admin"])
def test_director_region_admin_see_everything(world, trait):
    user = UserFactory(**{trait: True})
    assert Company.objects.visible_to(user).count() == 2
    assert Enrolment.objects.visible_to(user).count() == 2


def test_trainer_and_anonymous_see_no_company(world):
    from django.contrib.auth.models import AnonymousUser

    assert Company.objects.visible_to(UserFactory(trainer=True)).count() == 0
    assert Company.objects.visible_to(AnonymousUser()).count() == 0


def test_foreign_company_url_is_404(client, world):
    afpi = UserFactory(staff=True, relay=Relay.objects.get(slug="afpi"))
    client.force_login(afpi)
    own = client.get(reverse("enrolment:company_detail", args=[world["lyon"].pk]))
    foreign = client.get(reverse("enrolment:company_detail", args=[world["annecy"].pk]))
    assert own.status_code == 200
    assert "Lyon Usinage" in own.content.decode()
    assert foreign.status_code == 404


def test_owner_guessing_another_company_gets_404(client, world):
    client.force_login(world["lyon"].owner)
    response = client.get(reverse("enrolment:company_detail", args=[world["annecy"].pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("enrolment:company_detail", args=[world["lyon"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
