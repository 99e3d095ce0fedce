"""The URL confs: the public host (`public`), a tenant host's pages (`tenant`) and the
JSON API under /api/v1/ (`api_v1`, every endpoint listed once)."""
