import pytest
from django.urls import reverse

from consultants.models import Assignment, Expert, HalfDay, Mission
from consultants.selectors import with_load
from core.models import User

pytestmark = pytest.mark.django_db


def test_demo_gives_the_pool_a_realistic_spread_and_a_meaningful_overview(
    demo_db, client, settings
):
    settings.DEBUG = True
    consultants = list(with_load(Expert.objects.consultants()))
    active = [c for c in consultants if c.accreditation == Expert.Accreditation.ACTIVE]
    loads = [c.load for c in active]
    assert len(consultants) == 60
    assert all(c.load <= c.capacity for c in consultants)  # never over capacity
    assert sum(1 for n in loads if n > 0) >= 0.75 * len(active)  # most of the pool works
    assert len(set(loads)) >= 4  # from idle to busy, not all alike
    assert all(c.load == 0 for c in consultants if c not in active)
    assert Mission.objects.filter(closed_at__isnull=False).count() >= 15
    assert Mission.objects.filter(closed_at__isnull=True, consultant__isnull=False).count() >= 50
    assert HalfDay.objects.count() >= 300
    assert Assignment.objects.pending().exists()
    assert Assignment.objects.filter(status=Assignment.Status.DECLINED).exists()

    client.force_login(User.objects.get(email="direction@demo.test"))
    html = client.get(reverse("consultants:overview")).content.decode()
    assert html.count('href="/consultants/') >= 60
    assert "Aucune mission en retard." not in html
    assert client.get(reverse("consultants:queue")).status_code == 200
