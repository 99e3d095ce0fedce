"""API conventions shared by every endpoint: JSON errors (also for the answers Django
gives before any view: an API path answers JSON, a page HTML), pagination, input.
OPTIONS is kpihub/api_metadata.py: REST framework loads it while defining its views,
which this module imports."""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils import html
from rest_framework.views import exception_handler as drf_exception_handler


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 of both URLconfs (``handler404``): a path under /api/ that names no
    endpoint answers JSON like every other API error, not the HTML page."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception or Http404())


def bad_request(request: HttpRequest, errors: dict) -> HttpResponse:
    if is_api(request):
        return JsonResponse(errors, status=400)
    return defaults.bad_request(request, exception=None)


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` as the schema documents them: whole numbers, from 1
    (a page size up to 1000). Anything else is a 400 naming the parameter, where REST
    framework ignored a bad page size (1.5, 0, 5000 gave the default or the cap) and
    answered a bad page with 404 (issue 16, finding 8)."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        return self.whole_number(request, self.page_size_query_param, self.max_page_size) or self.page_size

    def get_page_number(self, request, paginator):
        return self.whole_number(request, self.page_query_param) or 1

    @staticmethod
    def whole_number(request, name: str, most: int | None = None) -> int | None:
        text = request.query_params.get(name)
        if not text:  # a parameter sent blank is one not sent (docs/decisions.md)
            return None
        number = int(text) if text.isascii() and text.isdigit() else 0
        if number < 1 or (most is not None and number > most):
            limit = f"from 1 to {most}" if most else "from 1"
            raise exceptions.ValidationError({name: [f"A whole number {limit}, not {text!r}."]})
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = f"Number of results per page (default {self.page_size})."
        return parameters


def exception_handler(exc, context):
    """DRF's handler, plus Django's ValidationError turned into a 400 instead of a 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args[:1])  # the service's reason, when it gave one
    return drf_exception_handler(exc, context)


class Input(serializers.Serializer):
    """A request body's serializer, as strict as the schema it is documented by.

    REST framework reads a field sent blank in a form (``owner=``) as a field not sent
    at all when it is optional, so a PATCH with a blank owner answered 200 and changed
    nothing (issue 16, finding 8): sent blank, a field that cannot be blank is an error
    here, as it is in JSON. And in JSON a value has the type the schema gives it: REST
    framework also takes 0, 1, "yes" for a boolean, a number for text and "5" for a
    whole number (the fuzzer's ``{"read_only": 0}`` and ``{"name": 0}`` made tokens); a
    form, which can only send text, keeps that leniency."""

    JSON_TYPES = ((serializers.BooleanField, "Must be true or false.", lambda value: isinstance(value, bool)),
                  (serializers.CharField, "Must be a string.", lambda value: isinstance(value, str)),
                  (serializers.IntegerField, "Must be a whole number.",
                   lambda value: isinstance(value, int) and not isinstance(value, bool)))

    def to_internal_value(self, data):
        if html.is_html_input(data):
            wrong = {name: ["This field may not be blank."] for name, field in self.fields.items()
                     if name in data and data.get(name) == "" and not field.read_only
                     and not getattr(field, "allow_blank", False) and not field.allow_null}
        elif isinstance(data, dict):
            wrong = {name: [message] for name, field in self.fields.items()
                     if name in data and not field.read_only and not (data[name] is None and field.allow_null)
                     for kind, message, fits in self.JSON_TYPES if isinstance(field, kind) and not fits(data[name])}
        else:
            wrong = {}
        if wrong:
            raise exceptions.ValidationError(wrong)
        return super().to_internal_value(data)
