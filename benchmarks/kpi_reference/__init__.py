"""What benchmarks/kpis.py measures on: a generated tenant dataset at the issue's scale."""
