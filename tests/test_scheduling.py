"""The test run's work units (tests/conftest.py) reach pytest-xdist.

pytest-xdist's ``--dist loadgroup`` tells a unit by the ``@name`` it appends to each test id.
pytest 9.2 ignores that rename (pytest-xdist issue 1386): every test then becomes a unit of
its own, nothing fails, and the run is silently slower (a module's app server started on both
workers). This test fails instead; requirements-dev.txt pins a pytest that keeps the rename.
"""

from __future__ import annotations


def test_this_file_is_one_work_unit_and_xdist_sees_it(request):
    config = request.config
    marks = [m.args[0] for m in request.node.iter_markers("xdist_group")]
    assert marks == ["tests/test_scheduling.py"]
    if hasattr(config, "workerinput") and config.getvalue("loadgroup"):
        assert request.node.nodeid.endswith("@tests/test_scheduling.py"), (
            "pytest-xdist's --dist loadgroup does not group the tests with this pytest: "
            "install the versions pinned in requirements-dev.txt"
        )
