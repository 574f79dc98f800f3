"""What the tests and the benchmarks share: generated data, test records, a served app.

Imported by both; imports neither (``tests/test_layering.py`` checks it).
"""
