"""API conventions shared by every endpoint: JSON errors, pagination, OPTIONS."""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


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


class Metadata(SimpleMetadata):
    """OPTIONS describes a view's input only when the view has a serializer to describe.
    DRF's own asks every generic view allowed to POST or PUT for one, and a view whose
    POST takes no body (``/api/v1/surveys/{id}/send/``) answered 500 (issue 16, finding 5)."""

    def determine_actions(self, request, view):
        try:
            described = view.get_serializer_class() is not None
        except AssertionError:  # GenericAPIView's way of saying it has no serializer_class
            described = False
        return super().determine_actions(request, view) if described else {}
