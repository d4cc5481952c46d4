"""Numbered pages of a list whose total the page has already counted (with its sums)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


class CountedPaginator(Paginator):
    """A paginator told its count: no COUNT query of its own (the caller counted, cheaper)."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count  # the cached_property, already known


def counted_page(rows, *, per_page: int, count: int, number) -> Page:
    """The page `number` of `rows`, `count` rows in all: no second COUNT query."""
    return CountedPaginator(rows, per_page, count=count).get_page(number)
