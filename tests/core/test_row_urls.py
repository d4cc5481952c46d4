"""A table's rows get the URLs `reverse` gives, each URL name reversed once per table."""

from unittest import mock

from django.urls import reverse

from core.jinja import RowUrls


def test_row_urls_are_reverses_with_the_rows_ids():
    url = RowUrls()
    with mock.patch("core.jinja.reverse", wraps=reverse) as reversed_:
        got = [url("consultants:profile", pk) for pk in (1, 42, 9_876_543_210, 10**12)]
        assert reversed_.call_count == 1
    assert got == [
        reverse("consultants:profile", args=[pk]) for pk in (1, 42, 9_876_543_210, 10**12)
    ]
    assert url("funding:journal", "afpi") == reverse("funding:journal", args=["afpi"])
    assert url("consultants:queue") == reverse("consultants:queue")
