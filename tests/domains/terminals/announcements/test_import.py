"""Importing CAP messages from other authorities: validated, mapped to communes, stored awaiting approval."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.domains.identity.helpers import make_user
from tests.domains.terminals.announcements.helpers import actor
from tests.domains.terminals.helpers import HANOI_EXAMPLE, OASIS_EXAMPLES, mutate, read
from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import OFFICER
from thanglong.domains.terminals.announcements import imports
from thanglong.domains.terminals.announcements.models import Announcement

FUTURE = "2099-12-31T23:00:00+07:00"


def _future(text: str) -> str:
    """Move the example's expiry into the future (the example was written for a past day)."""
    return re.sub(r"<expires>[^<]+</expires>", f"<expires>{FUTURE}</expires>", text)


def test_a_hanoi_flood_warning_is_imported_awaiting_approval(platform: Platform) -> None:
    officer = make_user(platform, OFFICER)
    data = _future(read(HANOI_EXAMPLE)).encode()
    with platform.uow() as uow:
        made = imports.import_message(uow, **actor(officer), data=data)
    assert made.status == "pending" and made.source == "imported"
    assert made.category == "flood" and made.level == "emergency" and made.urgency == "Immediate"
    # The two geocoded wards, and those the second area's polygon and circle by the river touch.
    assert {"00070", "00103"} < set(made.communes) and "00082" in made.communes
    assert [t["kind"] for t in made.targets] == ["polygon", "circle", "communes"]
    assert made.headline_en
    with platform.uow() as uow:
        row = uow.session.get(Announcement, made.id)
        assert row is not None and row.original_xml == data.decode()


def test_a_message_outside_hanoi_is_refused(platform: Platform) -> None:
    officer = make_user(platform, OFFICER)
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        imports.import_message(uow, **actor(officer), data=_future(read(OASIS_EXAMPLES[1])).encode())
    assert caught.value.code == "target_outside_hanoi"


def test_a_message_failing_the_schema_lists_its_errors(platform: Platform) -> None:
    officer = make_user(platform, OFFICER)
    bad = mutate(read(HANOI_EXAMPLE), "<status>Actual</status>", "<status>Real</status>")
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        imports.import_message(uow, **actor(officer), data=bad)
    assert caught.value.code == "cap_invalid"
    assert caught.value.details["problems"] and caught.value.details["problems"][0]["level"] == "schema"
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Announcement)) == 0
