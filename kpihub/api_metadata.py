"""What OPTIONS answers on every endpoint (REST framework's DEFAULT_METADATA_CLASS).

A module of its own: REST framework imports it while it defines APIView, so it must not
import REST framework's views itself (kpihub/api.py does)."""

from rest_framework.metadata import SimpleMetadata


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

