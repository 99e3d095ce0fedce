"""Survey sending throughput: 10,000 invitations through the real sending code
(``surveys.delivery.deliver``, the body of the Celery task: claim a batch, render,
SMTP, record) to a local SMTP sink (aiosmtpd in a process of its own).

    .venv/bin/python benchmarks/surveys.py [--invitations 10000] [--rate 250]

``--rate`` is the per-tenant cap (the product's default is 250 per second); ``--rate 0``
lifts it to measure what the code itself can do. Uses DATABASE_URL / REDIS_URL when
set, else the embedded servers, in a database of its own (``<name>_bench``) dropped at
the end. Prints invitations per second and the process's peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpihub.settings.development")

from scratch_database import bench_database, drop_database  # noqa: E402

SINK = """
import asyncio, sys, time
from aiosmtpd.controller import Controller
class Count:
    received = 0
    async def handle_DATA(self, server, session, envelope):
        Count.received += 1
        return "250 OK"
controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(Count.received, flush=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=250, help="per-tenant cap; 0 = uncapped")
    args = parser.parse_args()
    admin_url, bench = bench_database("surveys")
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout.readline().strip() == "ready"
        os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
        import django

        django.setup()
        result = run(args, port)
    finally:
        sink.stdin.close()
        received = sink.stdout.read().strip()
        sink.wait(timeout=10)
        drop_database(admin_url, bench)
    print(f"sink received {received} messages")
    for key, value in result.items():
        print(f"{key}: {value}")


def run(args, port: int) -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("setup_platform", verbosity=0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.SURVEYS_SEND_RATE = args.rate or 10**9

    from metrics.models import Customer
    from surveys import conf, delivery, services
    from surveys.models import Survey, SurveyRecipient
    from tenants.signup import sign_up

    tenant = sign_up(company_name="Bench Surveys", slug="bench-surveys", email="o@bench.example",
                     password="correct-horse-battery-staple").tenant
    connection.set_tenant(tenant)
    Customer.objects.bulk_create(
        [Customer(customer_id=f"c{i:06d}", name=f"Customer {i}", email=f"c{i}@bench.example")
         for i in range(args.invitations)], batch_size=5000)
    survey = services.create_survey(type="nps", name="Bench", base_url="http://bench-surveys.localhost/")
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    rss_before = max_rss_mib()
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(delivery.deliver, survey_id=survey.pk)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    else:
        delivery.deliver(survey_id=survey.pk)
    elapsed = time.perf_counter() - started
    sent = SurveyRecipient.objects.filter(survey=survey, status="sent").count()
    return {
        "invitations sent": sent,
        "seconds": round(elapsed, 2),
        "invitations per second": round(sent / elapsed, 1),
        "per-tenant cap": args.rate or "none",
        "batch size": conf.batch_size(),
        "peak RSS before sending (MiB)": round(rss_before, 1),
        "peak RSS after sending (MiB)": round(max_rss_mib(), 1),
    }


if __name__ == "__main__":
    main()
