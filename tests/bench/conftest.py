from tests.export.conftest import World, world  # noqa: F401  the same accepted world as the export tests
