"""The stored records of a kind, filtered the way the Data page and
``GET /api/v1/data/{kind}/`` offer: by key, by a date range on the kind's date column,
by a free-text search over its text columns, and by a customer filter (``filter=``,
the segments' one syntax: ``segment_records``)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from metrics.date_window import OutsideWindow, check_date

from metrics.imports.kinds import (CHOICE, COUNTRY, CURRENCY, DATE, DATETIME, EMAIL, KINDS, MONTH, SLUG, STR,
                                   Kind)
from metrics.models import Customer
from metrics.segments.engine import CANNOT_FOLLOW, segment_tables
from metrics.segments.filters import CustomerFilter

# Column types stored as text: the free-text search looks in these.
TEXT_TYPES = (STR, EMAIL, SLUG, CHOICE, COUNTRY, CURRENCY)


def kind_or_404(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise Http404("Unknown kind.")
    return kind


def field_name(kind: Kind, column: str) -> str:
    """The ORM name of a declared column (a foreign key's column is its attname)."""
    for field in kind.model._meta.concrete_fields:
        if field.column == column:
            return field.attname
    return column


def records(kind: Kind, *, search: str = "", keys: dict[str, str] | None = None,
            date_from: str = "", date_to: str = "") -> QuerySet:
    names = [field_name(kind, column) for column in kind.column_names]
    rows = kind.model.objects.all()
    for column, value in (keys or {}).items():
        if value:
            rows = rows.filter(**{field_name(kind, column): value})
    first, last = _day(date_from, "from"), _day(date_to, "to")  # checked for every kind: bad input is bad
    if kind.date_column and (first or last):
        rows = _in_dates(rows, kind, first, last)
    if search:
        rows = rows.filter(_search(kind, search))
    return rows.order_by(*_ordering(kind)).values(*names)


# Kinds whose rows are a customer's, listed for a segment (its customers' rows only).
# Customers, subscriptions, invoices and tickets are read through the segment engine's
# views (segment_tables), which hold the engine's rules: a plan, currency or interval
# condition keeps only the matching subscriptions, an invoice or ticket follows its
# customer. Imported survey responses carry a customer_id and follow it (one without is
# in no segment). Leads do not follow: their customer_id is who a lead became, so a
# segment would hide every open lead, as the engine's lead KPIs do not follow either.
FOLLOWING_KINDS = ("customers", "subscriptions", "invoices", "tickets", "survey_responses")
NARROWED_BY_VIEWS = ("customers", "subscriptions", "invoices", "tickets")


def check_follows(kind: Kind) -> None:
    """A 400 (ValidationError on ``filter``) for a kind whose rows belong to no
    customer: never every row under a filter."""
    if kind.name not in FOLLOWING_KINDS:
        raise ValidationError({"filter": [f"{kind.label} {CANNOT_FOLLOW}: its records belong to no customer."]})


@contextmanager
def segment_records(kind: Kind, customer_filter: CustomerFilter, **filters) -> Iterator[QuerySet]:
    """``records(kind, **filters)`` of the customers ``customer_filter`` keeps (all of
    them when it is empty), to count, page and stream inside the ``with``: the segment
    engine's temp views live as long as it. Set-based: the segment is a subquery each
    statement runs, never a list of ids. Raises the 400s (dates, a kind that cannot
    follow) before anything is read."""
    rows = records(kind, **filters)
    if not customer_filter:
        yield rows
        return
    check_follows(kind)
    if kind.name not in NARROWED_BY_VIEWS:
        # Inside segment_tables, metrics_customer is the segment's customers.
        rows = rows.filter(customer_id__in=Customer.objects.values("customer_id"))
    with segment_tables(customer_filter=customer_filter, currency=connection.tenant.currency):
        yield rows


def _search(kind: Kind, text: str) -> Q:
    """``text`` in any text column; a column that refers to another kind's record (a
    subscription's or invoice's customer_id) matches on what names that record: its
    key, its name and its e-mail, as a person searching for a customer expects.
    (``icontains`` on the foreign key itself is no lookup Django has: a 500.)"""
    found = Q()
    for column in kind.columns:
        if column.type not in TEXT_TYPES:
            continue
        field = kind.model._meta.get_field(_model_field(kind, column.name))
        if field.is_relation:
            found |= _naming(field, text)
        else:
            found |= Q(**{f"{field.name}__icontains": text})
    return found


def _model_field(kind: Kind, column: str) -> str:
    for field in kind.model._meta.concrete_fields:
        if field.column == column:
            return field.name
    return column


def _naming(field, text: str) -> Q:
    """The related record's key, name and e-mail columns (those of its kind)."""
    related = next(kind for kind in KINDS.values() if kind.model is field.related_model)
    names = [name for key in related.keys for name in key.columns]
    names += [column.name for column in related.columns if column.type == EMAIL or column.name == "name"]
    found = Q()
    for name in dict.fromkeys(names):
        found |= Q(**{f"{field.name}__{_model_field(related, name)}__icontains": text})
    return found


ISO_DATE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")  # the API's format: date (fromisoformat takes more)


def _day(text: str, name: str) -> datetime.date | None:
    if not text:
        return None
    try:
        if ISO_DATE.match(text):
            return check_date(datetime.date.fromisoformat(text), name=name)
    except OutsideWindow as error:
        raise ValidationError({name: [str(error)]}) from None
    except ValueError:
        pass
    raise ValidationError({name: [f"Use YYYY-MM-DD for from and to, not {text!r}."]})


def _in_dates(rows: QuerySet, kind: Kind, first: datetime.date | None, last: datetime.date | None) -> QuerySet:
    name = field_name(kind, kind.date_column)
    lookup = f"{name}__date" if kind.column(kind.date_column).type == DATETIME else name
    if first:
        rows = rows.filter(**{f"{lookup}__gte": first})
    if last:
        rows = rows.filter(**{f"{lookup}__lte": last})
    return rows


def _ordering(kind: Kind) -> list[str]:
    first = [f"-{field_name(kind, kind.date_column)}"] if kind.date_column else []
    return first + [field_name(kind, name) for name in kind.keys[0].columns] + ["pk"]


def record_by_key(kind: Kind, key: str, values: dict[str, str] | None = None):
    """The primary key of the stored record that ``key`` names, or 404.

    A one-column key is its value as it is. A composite key is its values in the key's
    order joined by commas, the last value whole (``2024-01-15,paid`` for traffic;
    ``2024-01-31,marketing,paid,Search ads, brand`` for an expense without an id).
    Instead, ``values`` may give every column of a key by name (query parameters), for
    a value that itself holds a comma. A kind with two keys (expenses, survey
    responses) is looked up by its id first, then by the other key among the records
    without an id."""
    given = values or {}
    for index, declared in enumerate(kind.keys):
        names = declared.columns
        if all(name in given for name in names):
            parts = [given[name] for name in names]
        else:
            parts = key.split(",", len(names) - 1) if len(names) > 1 else [key]
            if len(parts) != len(names):
                continue
        try:
            filters = {field_name(kind, name): _key_value(kind, name, part) for name, part in zip(names, parts)}
        except ValueError:
            continue
        for earlier in kind.keys[:index]:
            filters.update({f"{field_name(kind, name)}__isnull": True for name in earlier.columns})
        found = kind.model.objects.filter(**filters).values_list("pk", flat=True).first()
        if found is not None:
            return found
    raise Http404(f"No {kind.label.lower()} record has the key {key}.")


def key_of(kind: Kind, row: dict) -> tuple[str, dict[str, str]]:
    """The key naming a record given as text (``as_text``), in the form
    ``record_by_key`` reads: the key as one string, and its columns' values."""
    declared = kind.keys[-1]
    for candidate in kind.keys[:-1]:
        if all(row[name] != "" for name in candidate.columns):
            declared = candidate
            break
    values = {name: str(row[name]) for name in declared.columns}
    return ",".join(values.values()), values


def _key_value(kind: Kind, name: str, text: str):
    column = kind.column(name)
    if column.type == DATE:
        return datetime.date.fromisoformat(text)
    if column.type == MONTH:
        return datetime.date.fromisoformat(text + "-01" if len(text) == 7 else text)
    if column.type == DATETIME:
        moment = parse_datetime(text)
        if moment is None:
            raise ValueError(text)
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    return text


def as_text(kind: Kind, record: dict) -> dict:
    """A record with the column names of the contract and JSON-friendly values, in the
    shape a file of the kind would hold (so an export imports back unchanged)."""
    row = {}
    for column in kind.columns:
        value = record.get(field_name(kind, column.name))
        if value is None:
            row[column.name] = ""
        elif column.type == MONTH:
            row[column.name] = value.strftime("%Y-%m")
        elif isinstance(value, (datetime.date, datetime.datetime)):
            row[column.name] = value.isoformat()
        elif isinstance(value, bool):
            row[column.name] = "true" if value else "false"
        elif isinstance(value, Decimal):
            # Fixed-point: str() writes 0.0000001 as 1E-07, which no import reads back.
            row[column.name] = format(value, "f")
        else:
            row[column.name] = value
    return row
