"""What every form page that calls a service shares."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from ..exceptions import Conflict, ServiceError


def apply_validation_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


class ServiceFormMixin:
    """Call ``perform`` with the valid form; turn refusals into messages, never a 500."""

    success_message = _("Done.")

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        except Conflict as error:
            messages.error(self.request, error.message)
            return redirect(self.get_refused_url())
        except ServiceError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_refused_url(self):
        return self.get_success_url()
