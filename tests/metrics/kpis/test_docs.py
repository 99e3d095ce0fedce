from metrics.kpis.docs import DOCS_PATH, render
from metrics.kpis.registry import CATALOG


def test_the_committed_kpi_docs_are_generated_from_the_registry():
    assert DOCS_PATH.read_text() == render(), "docs/kpis.md is stale: run manage.py kpi_docs"


def test_every_catalog_kpi_and_benchmark_source_is_documented():
    text = render()
    for kpi in CATALOG:
        assert f"| `{kpi.key}` |" in text
        if kpi.benchmark:
            assert all(source.title in text for source in kpi.benchmark.sources)
