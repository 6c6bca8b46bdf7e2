import pytest

from integration.roles import ACCOUNTING_APPROVER, ERP_ADMIN, STANDARD
from tests.factories import UserFactory


@pytest.fixture
def approver(db):
    return UserFactory(username="approver", first_name="Alex", last_name="Approver", role=ACCOUNTING_APPROVER)


@pytest.fixture
def erp_admin(db):
    return UserFactory(username="erpadmin", role=ERP_ADMIN)


@pytest.fixture
def pm(db):
    return UserFactory(username="pm", role=STANDARD)
