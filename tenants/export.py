"""The company's full export (issue 17, "Leave with your data"): one ZIP with a CSV per
data kind in its import format, the KPI values, the goals and the survey answers.

Each kind's file is written by the Data page's export (metrics/data/export.py), so what
leaves here is what the Data page downloads and what the import reads back: one code
path. The archive is written under the tenant's media folder (kpihub/storage.py) to a
``.part`` name and renamed when complete, so a download never finds half a file, and
rows are streamed from the database (memory flat in the company's size)."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable, Iterator

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from jobs.tasks import JobReporter
from metrics.data import export, selectors
from metrics.imports.kinds import KINDS
from metrics.models import Goal, KpiValue
from surveys.models import SurveyResponse

JOB_KIND = "company_export"
FOLDER = "exports"
CHUNK = 2000
# How often (rows) the job's progress is written: often enough for a moving bar,
# rarely enough not to be a write per row.
PROGRESS_EVERY = 1000

KPI_VALUE_COLUMNS = ["kpi", "month", "value", "reason", "computed_at"]
GOAL_COLUMNS = ["id", "title", "kpi", "target_value", "baseline_value", "start_date", "deadline", "why",
                "owner_email", "achievability", "status", "archived_at", "created_at"]
ANSWER_COLUMNS = ["survey_id", "survey_name", "survey_type", "responded_at", "score", "comment",
                  "customer_id", "customer_name", "customer_email"]


def archive_name(job_id) -> str:
    """Where a finished export is kept, relative to the tenant's media folder."""
    return f"{FOLDER}/company-{job_id}.zip"


def download_url(job_id) -> str:
    return reverse("api-company-export-download", args=[job_id])


def finished_archive(job_id) -> str | None:
    """The stored archive of this company's succeeded export ``job_id``, or None: an
    unknown id, another kind of job, one still running or failed, or a file gone."""
    job = Job.objects.filter(pk=job_id, kind=JOB_KIND, status=Job.Status.SUCCEEDED).first()
    if job is None:
        return None
    name = archive_name(job.pk)
    return name if default_storage.exists(name) else None


def _remove_earlier(*, keep) -> None:
    """Only the newest export is kept: each is the whole company, so an earlier one is
    only a stale copy taking space (and the platform's usage counts stored bytes). The
    files of exports still queued or running, and their ``.part``, are left alone."""
    live = {str(pk) for pk in Job.objects.filter(kind=JOB_KIND, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
            .values_list("pk", flat=True)} | {str(keep)}
    folder = default_storage.path(FOLDER)
    for name in os.listdir(folder):
        job_id = name.removeprefix("company-").split(".", 1)[0]
        if job_id not in live:
            try:
                os.remove(os.path.join(folder, name))
            except FileNotFoundError:  # removed by a concurrent export
                pass


def _rows_to_write() -> int:
    """The total the progress bar counts towards: every row the archive will hold."""
    total = sum(kind.model.objects.count() for kind in KINDS.values())
    return total + KpiValue.objects.count() + Goal.objects.count() + SurveyResponse.objects.count()


def _kpi_values() -> Iterator[list]:
    for value in KpiValue.objects.order_by("kpi", "month").iterator(chunk_size=CHUNK):
        yield [value.kpi, f"{value.month:%Y-%m}", "" if value.value is None else value.value,
               value.reason, value.computed_at.isoformat()]


def _goals() -> Iterator[list]:
    for goal in Goal.objects.select_related("owner").order_by("pk").iterator(chunk_size=CHUNK):
        yield [goal.pk, goal.title, goal.kpi, goal.target_value, goal.baseline_value,
               goal.start_date.isoformat(), goal.deadline.isoformat(), goal.why, goal.owner.email,
               goal.achievability, goal.status, goal.archived_at.isoformat() if goal.archived_at else "",
               goal.created_at.isoformat()]


def _answers() -> Iterator[list]:
    """Every answer; an anonymous survey's stay anonymous here too (no customer columns)."""
    answers = SurveyResponse.objects.select_related("survey", "recipient").order_by("survey_id", "responded_at")
    for answer in answers.iterator(chunk_size=CHUNK):
        survey, recipient = answer.survey, answer.recipient
        who = ["", "", ""] if survey.anonymous else [recipient.customer_id, recipient.name, recipient.email]
        yield [survey.pk, survey.name, survey.type, answer.responded_at.isoformat(),
               "" if answer.score is None else answer.score, answer.comment, *who]


class _Counter:
    """Counts the rows written across the files and reports every PROGRESS_EVERY."""

    def __init__(self, reporter: JobReporter, total: int):
        self.reporter, self.total, self.done = reporter, total, 0
        reporter.advance(0, total)

    def lines(self, lines: Iterable[str]) -> Iterator[str]:
        first = True
        for line in lines:
            if first:  # the header
                first = False
            else:
                self.done += 1
                if self.done % PROGRESS_EVERY == 0:
                    self.reporter.advance(self.done)
            yield line


def _write(archive: zipfile.ZipFile, name: str, lines: Iterable[str]) -> None:
    # Dated now (in the company's zone, as a ZIP's local times are), not 1980-01-01.
    entry = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(entry, "w", force_zip64=True) as raw, \
            io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
        for line in lines:
            out.write(line)


def write_archive(*, reporter: JobReporter, job_id) -> dict:
    """Build the archive of the current tenant's data; returns the job's result, which
    carries ``download_url`` (the finished job's, api.md)."""
    counter = _Counter(reporter, _rows_to_write())
    name = archive_name(job_id)
    path = default_storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = f"{path}.part"
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for kind in KINDS.values():
                rows = selectors.records(kind).iterator(chunk_size=CHUNK)
                _write(archive, f"data/{kind.name}.csv", counter.lines(export.csv_lines(kind, rows)))
            _write(archive, "kpi_values.csv", counter.lines(export.csv_table(KPI_VALUE_COLUMNS, _kpi_values())))
            _write(archive, "goals.csv", counter.lines(export.csv_table(GOAL_COLUMNS, _goals())))
            _write(archive, "survey_answers.csv",
                   counter.lines(export.csv_table(ANSWER_COLUMNS, _answers())))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    reporter.advance(counter.done, counter.done)
    _remove_earlier(keep=job_id)
    return {"download_url": download_url(job_id), "bytes": os.path.getsize(path), "rows": counter.done}
