"""``/dev/outbox/`` on the public host, while DEBUG is on: the e-mails that the
file-based backend wrote (no EMAIL_URL in development), listed newest first and
readable one by one, so a developer can follow survey links and invitations without
a mail server. With DEBUG off every page here is a 404."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
MAX_LISTED = 500


@dataclass(frozen=True)
class OutboxMessage:
    file: str
    index: int
    message: EmailMessage

    @property
    def key(self) -> str:
        return f"{self.file}/{self.index}"


def _outbox() -> Path:
    if not settings.DEBUG or not getattr(settings, "EMAIL_FILE_PATH", None):
        raise Http404()
    return Path(settings.EMAIL_FILE_PATH)


def _messages_in(file: Path) -> list[EmailMessage]:
    chunks = [c for c in file.read_bytes().split(SEPARATOR) if c.strip()]
    return [email.message_from_bytes(c.lstrip(b"\n"), policy=email.policy.default) for c in chunks]


def read_outbox(outbox: Path) -> list[OutboxMessage]:
    files = sorted(outbox.glob("*.log"), key=lambda f: f.stat().st_mtime, reverse=True) if outbox.is_dir() else []
    found: list[OutboxMessage] = []
    for file in files:
        for index, message in reversed(list(enumerate(_messages_in(file)))):
            found.append(OutboxMessage(file.name, index, message))
            if len(found) >= MAX_LISTED:
                return found
    return found


def _one(file: str, index: int) -> EmailMessage:
    outbox = _outbox()
    path = (outbox / file).resolve()
    if path.parent != outbox.resolve() or not path.is_file():
        raise Http404()
    messages = _messages_in(path)
    if index >= len(messages):
        raise Http404()
    return messages[index]


def _body(message: EmailMessage, kind: str) -> str | None:
    part = message.get_body(preferencelist=(kind,))
    return part.get_content() if part is not None else None


def outbox(request):
    return render(request, "dev/outbox.html", {"messages_found": read_outbox(_outbox()),
                                               "limit": MAX_LISTED})


def message(request, file: str, index: int):
    found = _one(file, index)
    return render(request, "dev/outbox_message.html", {
        "file": file, "index": index, "headers": list(found.items()),
        "text": _body(found, "plain"), "has_html": _body(found, "html") is not None})


def message_html(request, file: str, index: int):
    """The HTML part as the recipient's mail client would show it. E-mail HTML uses
    inline styles, so this response alone allows them, and nothing else."""
    html = _body(_one(file, index), "html")
    if html is None:
        raise Http404()
    response = HttpResponse(html)
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
        "frame-ancestors 'none'")
    return response


urlpatterns = [
    path("", outbox, name="dev-outbox"),
    path("<str:file>/<int:index>/", message, name="dev-outbox-message"),
    path("<str:file>/<int:index>/html/", message_html, name="dev-outbox-html"),
]
