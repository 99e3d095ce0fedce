"""Development conveniences: the `make run` launcher, the embedded PostgreSQL and Redis
it starts when no URL is set, and the outbox page for mail sent without an SMTP server."""
