"""What every app's views share: one way to flatten a ``ValidationError`` for a page, and one
``run_action`` for the POST buttons (approve, return, close, retry, delete …).

Django-side helpers under every app: they import no app, so ``org`` as well as ``targets`` may use
them (import-linter contract "Shared Django helpers import no app").

A POST action view is always the same five steps — fetch the object through the scope, call the
service, catch its ``ValidationError``, show a Chinese message, redirect::

    @login_required
    @require_POST
    def report_accept(request, pk):
        report = queries.get_report(request.user, pk)          # 404 outside the scope
        return run_action(
            request,
            lambda: services.accept_report(request.user, report),
            success="周报已审核通过。",
            to=("supervision:report", report.pk),
        )
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from diaodu.i18n import tr

__all__ = [
    "attach_errors",
    "error_dict",
    "error_list",
    "error_text",
    "error_texts",
    "run_action",
]

GENERAL = "general"  # the key of the errors that belong to no field, in templates


def error_dict(exc: ValidationError, *, general: str = GENERAL) -> dict[str, list[str]]:
    """Field name → its messages (in the interface language, :func:`diaodu.i18n.tr`); errors
    that belong to no field under *general*."""
    raw = dict(exc.message_dict) if hasattr(exc, "error_dict") else {general: exc.messages}
    errors = {k: [tr(m) for m in v] for k, v in raw.items()}
    if "__all__" in errors and general != "__all__":
        errors[general] = errors.pop("__all__") + errors.get(general, [])
    return errors


def error_texts(exc: ValidationError, *, general: str = "__all__") -> dict[str, str]:
    """Field name → its messages joined into one line."""
    sep = "；" if _chinese() else "; "
    return {k: sep.join(v) for k, v in error_dict(exc, general=general).items()}


def error_list(exc: ValidationError) -> list[str]:
    """Every message, fields in order."""
    return [tr(m) for m in exc.messages]


def error_text(exc: ValidationError) -> str:
    """Every message in one line, for a flash message."""
    return ("；" if _chinese() else "; ").join(error_list(exc))


def _chinese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh").startswith("zh")


def attach_errors(form, exc: ValidationError) -> None:
    """Put a service's errors on a Django form: on the field when the form has it, else on the
    form as a whole."""
    for name, msgs in error_dict(exc, general="__all__").items():
        for m in msgs:
            form.add_error(name if name in form.fields else None, m)


def run_action(
    request,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str] | None,
    to: str | Sequence[Any] | Callable[[Any], Any],
    on_error: Callable[[ValidationError], Any] | None = None,
    denied: str | None = None,
) -> HttpResponse:
    """Run a service call for a POST button, say how it went, and redirect.

    * *action* — the service call (the object already fetched through the scope);
    * *success* — the message when it worked (or a function of the action's result; ``None``
      for no message);
    * *to* — where to go: a URL name, ``(name, *args)``, or a function of the result (None
      when the action failed) that returns one of those or a response;
    * a ``ValidationError`` becomes an error message (or *on_error* handles it);
    * a ``PermissionDenied`` stays a 403 page unless *denied* gives the message to show instead.
    """
    result = None
    try:
        result = action()
    except ValidationError as exc:
        if on_error is not None:
            on_error(exc)
        else:
            messages.error(request, error_text(exc))
    except PermissionDenied:
        if denied is None:
            raise
        messages.error(request, denied)
    else:
        text = success(result) if callable(success) else success
        if text:
            messages.success(request, text)
    if callable(to):
        to = to(result)
        if isinstance(to, HttpResponse):
            return to
    if isinstance(to, (list, tuple)):
        return redirect(*to)
    return redirect(to)
