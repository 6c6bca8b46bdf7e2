"""Shared test configuration. Fixture modules per area live in tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.sandbox_transport",
    "tests.fixtures.xero",
    "tests.fixtures.procore",
    "tests.fixtures.integration",
]
