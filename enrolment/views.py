"""Public pages and the company's page.

The owner's journey is in `journey`, the relay staff's pages in `staff_views`."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from catalogue.selectors import open_offers_with_tariffs
from core.registry import company_sections_for
from core.scoping import get_visible_or_404

from .models import Company


def landing(request):
    """The public page that explains the programme and its offers (figures from the tariffs)."""
    return render(request, "enrolment/landing.html", {"offers": open_offers_with_tariffs()})


@login_required
def company_detail(request, pk: int):
    """A company and its enrolments, fetched through the user's scope (a foreign id is a 404)."""
    company = get_visible_or_404(
        Company.objects.select_related("relay", "departement", "owner"), request.user, pk=pk
    )
    enrolments = company.enrolments.select_related("offer").order_by("-created_at")
    context = {
        "company": company,
        "enrolments": enrolments,
        # Blocks of the apps above enrolment (seminars, pilots' training), registered in ready().
        "sections": company_sections_for(company),
    }
    return render(request, "enrolment/company_detail.html", context)


# The owner's journey (sign-up to request sent) and the company's dossier: enrolment/journey.py.
