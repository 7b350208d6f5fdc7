"""The API's pages (a module of its own: DRF imports the default class while it loads)."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Page numbers only: the schema types ``page`` as an integer, so "page=last" is no page
    and answers 404 (found by the fuzzer; DRF accepts it by default)."""

    last_page_strings = ()
