"""The goal e-mails link to the goal pages on the company's own address (its scheme
and port as configured), never to the JSON API."""


from django.contrib.auth import get_user_model
from django.db import connection

from accounts.models import Member
from metrics.goals import services
from metrics.goals.notifications import send_weekly_digest
from metrics.months import end_of
from tests.metrics.goals.builders import THIS_MONTH, churn, make_goal
from tests.support.smtp import html_of, text_of



def on_a_development_port(settings) -> None:
    """The address is then http and carries the port: unlike the https a link was once
    hard-coded with."""
    settings.DEBUG, settings.PORT = True, 8123


def test_the_status_email_links_to_the_goal_page_on_the_tenants_address(in_acme, smtp_sink, settings,
                                                                          django_capture_on_commit_callbacks):
    on_a_development_port(settings)
    owner = get_user_model().objects.get(username=in_acme.owner_email)
    goal = make_goal(owner)
    churn(THIS_MONTH, 3.9)
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_open_goals(as_of=end_of(THIS_MONTH))

    (mail,) = smtp_sink.messages
    link = f"http://{in_acme.host}:8123/goals/{goal.pk}/"
    assert link in text_of(mail) and f'href="{link}"' in html_of(mail)
    assert "/api/" not in text_of(mail) + html_of(mail)

    connection.set_schema_to_public()
    page = _logged_in(in_acme).get(f"/goals/{goal.pk}/")
    assert page.status_code == 200 and goal.title in page.content.decode()


def test_the_weekly_digest_links_to_the_goals_page_on_the_tenants_address(in_acme, smtp_sink, settings):
    on_a_development_port(settings)
    make_goal(get_user_model().objects.get(username=in_acme.owner_email))
    Member.objects.filter(user__username=in_acme.owner_email).update(weekly_goal_digest=True)

    assert send_weekly_digest() == 1
    (mail,) = smtp_sink.messages
    link = f"http://{in_acme.host}:8123/goals/"
    assert link in text_of(mail) and f'href="{link}"' in html_of(mail)


def _logged_in(acme):
    from django.test import Client

    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    return client
