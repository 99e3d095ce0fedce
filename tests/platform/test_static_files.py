"""Production's static files: collectstatic with the manifest storage must succeed, or
a deploy stops before it starts (a vendored file naming a missing source map did)."""

import json

from django.core.management import call_command


def test_collectstatic_with_the_production_storage(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

    call_command("collectstatic", "--noinput", verbosity=0)

    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/chartjs/chart.umd.min.js", "js/charts.js", "css/dashboard.css"):
        assert (tmp_path / paths[name]).is_file(), name
