"""What the import endpoints read and return (api.md, "JSON API")."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics.imports.kinds import KINDS
from metrics.models import DataImport


@extend_schema_field(OpenApiTypes.OBJECT)
class MappingField(serializers.Field):
    """A mapping as a JSON object, or as JSON text (a multipart field)."""

    default_error_messages = {"shape": 'A JSON object: {{"<kind column>": "<file column>", or {{"value": '
                                       '"<constant>"}}, or null}}.'}

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not data.strip():
                return None
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("shape")
        if not isinstance(data, dict):
            self.fail("shape")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.OBJECT)
class CategoriesField(MappingField):
    """Categories for a report's accounts as a JSON object, or as JSON text (a multipart field)."""

    default_error_messages = {"shape": 'A JSON object: {{"<account>": "<category>"}}.'}


CATEGORIES_HELP = ('For a QuickBooks Online transaction detail report: {"<account>": "<category>"}, the category '
                   "one of marketing, sales, cogs, operating, other, or leave_out (the account holds no expenses). "
                   "Applied over the account map and the categories confirmed at earlier imports; remembered "
                   "for the tenant when the import succeeds, and applied to the next imports without asking "
                   "(a note says which). The preview lists the report's accounts with the category each gets")


@extend_schema_field(OpenApiTypes.OBJECT)
class CouponsField(MappingField):
    """Values for a Stripe export's coupons as a JSON object, or as JSON text (a multipart field)."""

    default_error_messages = {"shape": 'A JSON object: {{"<coupon id>": {{"percent_off": 20}}}}.'}


COUPONS_HELP = ('For a Stripe subscriptions export: {"<coupon id>": {"percent_off": 20} or {"amount_off": '
                '"5.00"}, with "duration" forever (the default), once or repeating}. Only a forever coupon lowers '
                "the amount (MRR): percent off the price, amount off the subscription (price x quantity). "
                "Remembered for the tenant when the import succeeds and applied to the next imports (a note "
                "says which). The preview lists the export's coupons with the value each gets")


class ImportInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), required=False, allow_blank=True, default="",
                                   help_text="May be left out when the source (named or recognised) implies it")
    source = serializers.CharField(required=False, allow_blank=True, default="", max_length=60,
                                   help_text="A declared source (GET /api/v1/imports/sources/); "
                                             "recognised from the file's header when left out")
    file = serializers.FileField(help_text="CSV (UTF-8; , ; or tab), XLSX or JSON; 100 MB at most")
    on_error = serializers.ChoiceField(choices=DataImport.OnError.values, default=DataImport.OnError.REJECT)
    date_format = serializers.ChoiceField(choices=DataImport.DateFormat.values, required=False,
                                          allow_blank=True, default="")
    amount_unit = serializers.ChoiceField(choices=DataImport.AmountUnit.values, default=DataImport.AmountUnit.UNITS,
                                          help_text="cents: money columns are divided by 100")
    mode = serializers.ChoiceField(choices=DataImport.Mode.values, default=DataImport.Mode.UPSERT,
                                   help_text="replace: records of the kind missing from the file are deleted")
    mapping = MappingField(required=False, allow_null=True, default=None,
                           help_text='{"<kind column>": "<file column>" or {"value": "<constant>"} or null}; '
                                     "columns left out take the file column of their own name. Without one, "
                                     "the mapping confirmed for the file's header (if any) is applied")
    categories = CategoriesField(required=False, allow_null=True, default=None, help_text=CATEGORIES_HELP)
    coupons = CouponsField(required=False, allow_null=True, default=None, help_text=COUPONS_HELP)


class ImportError_(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line in the file; the header is line 1")
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class ImportOutput(serializers.ModelSerializer):
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    finished_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(help_text="Why it failed, when it did")
    progress = serializers.FloatField(source="job.progress", allow_null=True,
                                      help_text="Percent of rows read; null while unknown")
    progress_done = serializers.IntegerField(source="job.progress_done")
    progress_total = serializers.IntegerField(source="job.progress_total", allow_null=True)
    job_id = serializers.UUIDField()
    errors = ImportError_(many=True, help_text="The first 1,000 errors; rejected.csv has every rejected row")
    warnings = serializers.ListField(child=serializers.CharField())
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    rejected_csv = serializers.SerializerMethodField()
    notes = serializers.ListField(child=serializers.CharField(),
                                  help_text="What was skipped, derived or guessed while reading the file")
    reverts = serializers.UUIDField(source="reverts_id", allow_null=True,
                                    help_text="For an undo: the import it reverted")
    account_categories = serializers.DictField(child=serializers.CharField(),
                                               help_text="The categories sent for a report's accounts, as "
                                                         "recorded (those that differ from what the account "
                                                         "would get anyway)")
    coupons = serializers.DictField(child=serializers.DictField(),
                                    help_text="The values sent for a Stripe export's coupons, as recorded (those "
                                              "that differ from the confirmed ones)")

    class Meta:
        model = DataImport
        fields = ["id", "kind", "status", "rows_total", "rows_created", "rows_updated", "rows_unchanged",
                  "rows_rejected", "error_count", "errors", "warnings", "created_at", "finished_at", "reason",
                  "progress", "progress_done", "progress_total", "job_id", "on_error", "date_format",
                  "origin", "source", "mapping", "amount_unit", "mode", "rows_deleted", "notes", "undone_at",
                  "reverts", "account_categories", "coupons", "file_name", "file_size", "created_by", "rejected_csv"]

    def get_rejected_csv(self, record: DataImport) -> str | None:
        if not record.rejected_file:
            return None
        request = self.context.get("request")
        path = f"/api/v1/imports/{record.pk}/rejected.csv"
        return request.build_absolute_uri(path) if request else path


class SourceOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    vendor = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    columns = serializers.ListField(child=serializers.CharField(),
                                    help_text="The export's columns that recognise it")
    documentation = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class PreviewInput(serializers.Serializer):
    file = serializers.FileField(help_text="Only the head of the file is read")
    kind = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    mapping = MappingField(required=False, allow_null=True, default=None,
                           help_text="The mapping to preview; without one, the remembered or suggested one")
    date_format = serializers.ChoiceField(choices=DataImport.DateFormat.values, required=False,
                                          allow_blank=True, default="")
    # Text (checked by the service): a third choice field of this name would collide in the schema's enums.
    amount_unit = serializers.CharField(default=DataImport.AmountUnit.UNITS, max_length=5,
                                        help_text="units or cents, as for the import")
    categories = CategoriesField(required=False, allow_null=True, default=None,
                                 help_text="The categories to preview for a report's accounts, as for the import")
    coupons = CouponsField(required=False, allow_null=True, default=None,
                           help_text="The values to preview for a Stripe export's coupons, as for the import")


class PreviewColumn(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()
    samples = serializers.ListField(child=serializers.CharField())
    suggestions = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


# "from" is a Python keyword: {"column": file column (and "source": how the source derives it)},
# {"value": constant}, or null for nothing.
PreviewColumn._declared_fields["from"] = serializers.DictField(allow_null=True, help_text="Where it comes from")


class PreviewAccount(serializers.Serializer):
    account = serializers.CharField(help_text="As the report names it (the section its rows are under)")
    rows = serializers.IntegerField(help_text="Its dated rows in the report")
    category = serializers.CharField(help_text="What its rows get: an expense category, or leave_out")
    guess = serializers.CharField(help_text="What the account map alone gives it")
    confirmed = serializers.CharField(help_text="Who confirmed its category and when, when someone did")


PreviewAccount._declared_fields["from"] = serializers.CharField(
    help_text="Where the category comes from: chosen (sent with this preview), confirmed, account map, "
              "not an expense by its name, or not recognised (other until someone chooses)")


class PreviewOutput(serializers.Serializer):
    kind = serializers.CharField(allow_null=True)
    source = serializers.CharField(allow_null=True)
    header_line = serializers.IntegerField(help_text="The line read as the header")
    columns = PreviewColumn(many=True)
    mapping = serializers.DictField(help_text="Every column of the kind: file column, {value}, or null")
    rows = serializers.ListField(child=serializers.DictField(),
                                 help_text="The first 20 rows as they would be stored: {line, values, problems}")
    problems = ImportError_(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    file_columns = serializers.ListField(child=serializers.CharField())
    estimated_rows = serializers.IntegerField(allow_null=True)
    remembered = serializers.BooleanField(help_text="The mapping is the one confirmed for this header")
    accounts = PreviewAccount(many=True,
                              help_text="A QuickBooks report's accounts (from the whole report, up to 100,000 rows), "
                                        "each with the category its rows get; empty for other files")
    coupons = serializers.ListField(child=serializers.DictField(),
                                    help_text="A Stripe subscriptions export's coupons (up to 100,000 rows): "
                                              "{coupon, subscriptions, value (null: unknown), from (given, "
                                              "confirmed, unknown), confirmed}; empty for other files")
