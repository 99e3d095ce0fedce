"""Writes of segments: a company's saved segments (named filters)."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError

from metrics.models import SavedSegment
from metrics.segments.selectors import customer_filter


def save_segment(*, name: str, filter_text: str, user) -> SavedSegment:
    """Save (or, by the same name, replace) a segment for everyone of the company. The
    filter is checked as ``filter=`` is, so a saved segment always reads back; it is
    kept in its canonical spelling."""
    name = name.strip()
    if not name or len(name) > 100 or "\x00" in name:
        raise ValidationError({"name": ["Name the segment (at most 100 characters)."]})
    parsed = customer_filter(filter_text)
    if not parsed:
        raise ValidationError({"filter": ["A saved segment needs a filter, e.g. plan:pro,country:DE|FR."]})
    segment, _ = SavedSegment.objects.update_or_create(
        name=name, defaults={"filter": parsed.text, "created_by": user})
    return segment


def delete_segment(*, pk: int) -> None:
    """Delete a saved segment (gone already: nothing to do)."""
    SavedSegment.objects.filter(pk=pk).delete()
