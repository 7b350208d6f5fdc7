"""Turn a lost race for the process lock into a clear message instead of a server error."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed


class FlowLockMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, FlowLockFailed):
            messages.error(
                request,
                _("Someone else is working on this case at this moment. Nothing was saved; "
                  "please try again."),
            )
            response = HttpResponseRedirect(request.get_full_path())
            response.status_code = 303
            return response
        return None
