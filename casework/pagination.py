"""The API's pages (a module of its own: DRF imports the default class while it loads)."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Page numbers only: the schema types ``page`` as an integer, so "page=last" and an empty
    "page=" are no page and answer 404 (both found by the fuzzer; DRF takes the first for the
    last page and the second for the first)."""

    last_page_strings = ()

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param)
        # Absent: the first page. Anything else goes to Django's paginator, which refuses
        # what is not a page number (DRF answers that with 404).
        return 1 if number is None else number
