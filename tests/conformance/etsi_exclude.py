"""Robot pre-run modifier: drop the test cases that selected.txt excludes, each with its reason there."""

from __future__ import annotations

from pathlib import Path

from robot.api import SuiteVisitor
from robot.running import TestSuite


class etsi_exclude(SuiteVisitor):  # noqa: N801 - robot loads a modifier class named as its module
    """Remove the excluded test cases (by name) and the suites left empty."""

    def __init__(self, selection: str) -> None:
        self.excluded: set[str] = set()
        for raw in Path(selection).read_text(encoding="utf-8").splitlines():
            verb, _, rest = raw.strip().partition(" ")
            if verb == "exclude":
                self.excluded.add(rest.partition("--")[0].strip())

    def is_excluded(self, name: str) -> bool:
        """Say whether a test case is excluded by its full name or its number (the first word)."""
        return name in self.excluded or name.split(" ", 1)[0] in self.excluded

    def start_suite(self, suite: TestSuite) -> None:
        """Keep the tests whose name is not excluded."""
        suite.tests = [test for test in suite.tests if not self.is_excluded(test.name)]

    def end_suite(self, suite: TestSuite) -> None:
        """Drop child suites with no test left."""
        suite.suites = [child for child in suite.suites if child.test_count > 0]

    def visit_test(self, test: object) -> None:
        """Tests need no visit."""
