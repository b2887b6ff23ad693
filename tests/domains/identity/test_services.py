"""Tests of the identity use cases: accounts, hashing, throttling, sessions, API keys, audit."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from tests.domains.identity.helpers import PASSWORD, FrozenClock, make_user
from thanglong.core import audit
from thanglong.core.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.testing.plugin import RecordingBus
from thanglong.domains.identity import api, credentials, events, passwords, services
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN, OFFICER, OPERATOR, SECURITY_ANALYST
from thanglong.domains.identity.models import ApiKey, LoginAttempt, User
from thanglong.domains.identity.models import Session as SessionRow


@pytest.fixture
def clock(platform: Platform) -> FrozenClock:
    """Drive the platform's units of work with a hand-moved clock."""
    frozen = FrozenClock()
    platform.clock = frozen
    return frozen


@pytest.fixture
def standard_profile() -> Iterator[None]:
    """Hash with the production parameters for the test, then go back to the fast ones."""
    previous = passwords.current_profile()
    passwords.use_profile("standard")
    yield
    passwords.use_profile(previous)


def audit_actions(platform: Platform, object_id: str) -> list[str]:
    with platform.uow() as uow:
        return list(
            uow.session.scalars(
                select(AuditRecord.action).where(AuditRecord.object_id == object_id).order_by(AuditRecord.seq)
            )
        )


def login(
    platform: Platform, username: str, password: str, ip: str | None = "203.0.113.7"
) -> services.UserDTO:
    with platform.uow() as uow:
        return services.authenticate(
            uow,
            username=username,
            password=password,
            ip=ip,
            max_failures=platform.settings.login_max_failures,
            window_seconds=platform.settings.login_window_seconds,
        )


def test_create_user_hashes_with_argon2id_and_audits(platform: Platform, fake_bus: RecordingBus) -> None:
    user = make_user(platform, OFFICER, OPERATOR, username="Nguyen.Van-A")
    with platform.uow() as uow:
        row = uow.session.get(User, user.id)
        assert row is not None
        assert row.password_hash is not None
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash
        assert row.username_key == "nguyen.van-a"
    assert set(user.roles) == {OFFICER, OPERATOR}
    assert audit_actions(platform, str(user.id)) == ["identity.user.create"]
    created = [e for e in fake_bus.published if isinstance(e, events.UserCreated)]
    assert [e.user_id for e in created] == [user.id]
    with platform.uow() as uow:
        assert audit.seal(uow.session).sealed >= 1
        assert audit.verify(uow.session).ok


def test_usernames_are_unique_ignoring_case(platform: Platform) -> None:
    make_user(platform, username="tranthib")
    with pytest.raises(Conflict) as err:
        make_user(platform, username="TranThiB")
    assert err.value.code == "username_taken"


@pytest.mark.parametrize("bad", ["ab", "has space", "dấu", "-lead", "x" * 65])
def test_bad_usernames_are_refused(platform: Platform, bad: str) -> None:
    with pytest.raises(InvalidInput) as err:
        make_user(platform, username=bad)
    assert err.value.code == "invalid_username"


def test_unknown_role_and_short_password_are_refused(platform: Platform) -> None:
    with pytest.raises(InvalidInput) as err, platform.uow() as uow:
        services.create_user(uow, actor=SYSTEM_ACTOR, username="abc", password=None, roles=["mayor"])
    assert err.value.code == "unknown_role"
    with pytest.raises(InvalidInput) as err:
        make_user(platform, password="short")
    assert err.value.code == "weak_password"
    with platform.uow() as uow:
        assert (
            uow.session.scalar(select(func.count()).select_from(User).where(User.username_key == "abc")) == 0
        )


def test_authenticate_accepts_the_password_and_refuses_others(platform: Platform) -> None:
    user = make_user(platform, OFFICER)
    assert login(platform, user.username.upper(), PASSWORD).id == user.id
    with pytest.raises(Unauthenticated) as err:
        login(platform, user.username, PASSWORD + "x")
    assert err.value.code == "invalid_credentials"
    assert audit_actions(platform, str(user.id))[-1] == "identity.login"
    assert audit_actions(platform, user.username.lower()) == ["identity.login_failed"]


def test_unknown_user_is_checked_against_a_dummy_hash(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []
    real = passwords.verify_password

    def spy(stored: str | None, password: str) -> bool:
        seen.append(stored)
        return real(stored, password)

    monkeypatch.setattr(passwords, "verify_password", spy)
    with pytest.raises(Unauthenticated) as err:
        login(platform, "nobody-here", "whatever-password")
    assert err.value.code == "invalid_credentials"
    # The hasher ran even though there is no such user, so timing does not reveal which names exist.
    assert seen == [None]


def test_deactivated_user_cannot_sign_in(platform: Platform) -> None:
    user = make_user(platform)
    with platform.uow() as uow:
        services.deactivate(uow, actor=SYSTEM_ACTOR, user_id=user.id)
    with pytest.raises(Unauthenticated):
        login(platform, user.username, PASSWORD)


def test_login_rehashes_when_parameters_change(platform: Platform, standard_profile: None) -> None:
    passwords.use_profile("fast")
    user = make_user(platform)
    with platform.uow() as uow:
        old = uow.session.get(User, user.id)
        assert old is not None
        old_hash = old.password_hash
    assert old_hash is not None and "m=8192" in old_hash
    passwords.use_profile("standard")
    login(platform, user.username, PASSWORD)
    with platform.uow() as uow:
        row = uow.session.get(User, user.id)
        assert row is not None and row.password_hash is not None
        assert "m=65536,t=3,p=4" in row.password_hash
        assert not passwords.needs_rehash(row.password_hash)
    login(platform, user.username, PASSWORD)


def test_failures_for_one_username_are_throttled(platform: Platform, clock: FrozenClock) -> None:
    user = make_user(platform)
    limit = platform.settings.login_max_failures
    for i in range(limit):
        clock.advance(10)
        with pytest.raises(Unauthenticated):
            login(platform, user.username, "wrong-password", ip=f"198.51.100.{i}")
    clock.advance(10)
    with pytest.raises(TooManyRequests) as err:
        login(platform, user.username, PASSWORD, ip="198.51.100.200")
    window = platform.settings.login_window_seconds
    # The oldest counted failure happened limit*10 seconds ago; it ages out of the window first.
    assert err.value.details["retry_after"] == window - limit * 10
    assert err.value.status == 429
    clock.advance(window - limit * 10)
    assert login(platform, user.username, PASSWORD, ip="198.51.100.200").id == user.id


def test_failures_from_one_address_are_throttled_across_usernames(
    platform: Platform, clock: FrozenClock
) -> None:
    user = make_user(platform)
    for i in range(platform.settings.login_max_failures):
        with pytest.raises(Unauthenticated):
            login(platform, f"guess-{i}", "wrong-password", ip="192.0.2.66")
    with pytest.raises(TooManyRequests):
        login(platform, user.username, PASSWORD, ip="192.0.2.66")
    assert login(platform, user.username, PASSWORD, ip="192.0.2.67").id == user.id


def test_a_success_clears_the_username_count(platform: Platform, clock: FrozenClock) -> None:
    user = make_user(platform)
    limit = platform.settings.login_max_failures
    for _ in range(limit - 1):
        with pytest.raises(Unauthenticated):
            login(platform, user.username, "wrong-password", ip=None)
    login(platform, user.username, PASSWORD, ip=None)
    for _ in range(limit - 1):
        with pytest.raises(Unauthenticated):
            login(platform, user.username, "wrong-password", ip=None)
    assert login(platform, user.username, PASSWORD, ip=None).id == user.id
    with platform.uow() as uow:
        rows = uow.session.scalars(select(LoginAttempt).where(LoginAttempt.username == user.username.lower()))
        assert [r.success for r in rows].count(False) == 2 * (limit - 1)


def test_sessions_store_only_a_hash_expire_and_slide(platform: Platform, clock: FrozenClock) -> None:
    user = make_user(platform, OPERATOR)
    max_age = platform.settings.session_max_age_seconds
    with platform.uow() as uow:
        new = credentials.create_session(uow, user_id=user.id, max_age_seconds=max_age, ip="192.0.2.1")
        row = uow.session.get(SessionRow, new.id)
        assert row is not None
        assert row.token_hash == services.sha256_hex(new.token) != new.token
    assert len(new.token) >= 43
    principal = api.resolve_session(platform, new.token)
    assert principal is not None
    assert principal.id == user.id and principal.name == user.username
    assert principal.can("notify.send") and not principal.can("identity.users.read")
    assert api.resolve_session(platform, new.token + "x") is None
    clock.advance(max_age - 60)
    assert api.resolve_session(platform, new.token) is not None
    clock.advance(max_age - 60)
    assert api.resolve_session(platform, new.token) is not None, "use keeps the session alive"
    clock.advance(max_age)
    assert api.resolve_session(platform, new.token) is None, "idle past the limit: expired"


def test_sessions_have_an_absolute_limit(platform: Platform, clock: FrozenClock) -> None:
    user = make_user(platform)
    max_age = platform.settings.session_max_age_seconds
    with platform.uow() as uow:
        new = credentials.create_session(uow, user_id=user.id, max_age_seconds=max_age)
    lifetime = max_age * credentials.ABSOLUTE_SESSION_FACTOR
    start = clock.now
    ended_at = None
    for _ in range(4 * credentials.ABSOLUTE_SESSION_FACTOR):
        clock.advance(max_age / 2)
        if api.resolve_session(platform, new.token) is None:
            ended_at = clock.now
            break
    # Used every half idle-period, the session still ends at the absolute limit.
    assert ended_at is not None
    assert (ended_at - start).total_seconds() == lifetime


def test_end_session_and_deactivation_revoke(platform: Platform) -> None:
    user = make_user(platform)
    max_age = platform.settings.session_max_age_seconds
    with platform.uow() as uow:
        first = credentials.create_session(uow, user_id=user.id, max_age_seconds=max_age)
        second = credentials.create_session(uow, user_id=user.id, max_age_seconds=max_age)
    with platform.uow() as uow:
        assert credentials.end_session(uow, token=first.token) is True
        assert credentials.end_session(uow, token=first.token) is False
    assert api.resolve_session(platform, first.token) is None
    assert api.resolve_session(platform, second.token) is not None
    with platform.uow() as uow:
        services.deactivate(uow, actor=SYSTEM_ACTOR, user_id=user.id)
    assert api.resolve_session(platform, second.token) is None
    actions = audit_actions(platform, str(user.id))
    assert actions == ["identity.user.create", "identity.user.deactivate"]
    assert audit_actions(platform, str(first.id)) == ["identity.session.create", "identity.session.end"]


def test_set_password_ends_sessions_and_changes_the_password(platform: Platform) -> None:
    user = make_user(platform)
    with platform.uow() as uow:
        new = credentials.create_session(uow, user_id=user.id, max_age_seconds=3600)
        services.set_password(uow, actor=SYSTEM_ACTOR, user_id=user.id, password="Mới-hoàn-toàn-2025")
    assert api.resolve_session(platform, new.token) is None
    with pytest.raises(Unauthenticated):
        login(platform, user.username, PASSWORD)
    assert login(platform, user.username, "Mới-hoàn-toàn-2025").id == user.id
    assert "identity.user.set_password" in audit_actions(platform, str(user.id))


def test_set_roles_changes_permissions(platform: Platform, fake_bus: RecordingBus) -> None:
    user = make_user(platform, CITIZEN)
    with platform.uow() as uow:
        token = credentials.create_session(uow, user_id=user.id, max_age_seconds=3600).token
        dto = services.set_roles(uow, actor=SYSTEM_ACTOR, user_id=user.id, roles=["administrator"])
    assert dto.roles == (ADMINISTRATOR,)
    principal = api.resolve_session(platform, token)
    assert principal is not None and principal.can("identity.users.write")
    assert any(isinstance(e, events.UserRolesChanged) for e in fake_bus.published)
    with platform.uow() as uow:
        record = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "identity.user.set_roles")
        ).one()
        assert record.before == {"roles": ["citizen"]} and record.after == {"roles": ["administrator"]}
    with pytest.raises(NotFound), platform.uow() as uow:
        services.set_roles(uow, actor=SYSTEM_ACTOR, user_id=uuid.uuid4(), roles=["citizen"])


def test_api_keys_are_shown_once_and_hashed(platform: Platform) -> None:
    with platform.uow() as uow:
        dto, key = api.create_api_key(uow, actor=SYSTEM_ACTOR, name="Trạm quan trắc", role=OPERATOR)
    assert re.fullmatch(r"tl_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", key)
    assert key.split("_")[1] == dto.prefix
    with platform.uow() as uow:
        row = uow.session.scalars(select(ApiKey).where(ApiKey.prefix == dto.prefix)).one()
        assert row.key_hash == services.sha256_hex(key)
        assert key not in row.key_hash
    principal = api.resolve_api_key(platform, key)
    assert principal is not None and principal.kind == "api_key" and principal.roles == {OPERATOR}
    assert principal.can("notify.send") and not principal.can("identity.users.read")
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert api.resolve_api_key(platform, forged) is None
    assert api.resolve_api_key(platform, "tl_nothere_" + "a" * 43) is None
    assert api.resolve_api_key(platform, "not-a-key") is None
    with platform.uow() as uow:
        revoked = credentials.revoke_api_key(uow, actor=SYSTEM_ACTOR, prefix=dto.prefix)
        assert revoked.revoked_at is not None
        credentials.revoke_api_key(uow, actor=SYSTEM_ACTOR, prefix=dto.prefix)
    assert api.resolve_api_key(platform, key) is None
    assert audit_actions(platform, str(dto.id)) == ["identity.api_key.create", "identity.api_key.revoke"]
    with pytest.raises(NotFound), platform.uow() as uow:
        credentials.revoke_api_key(uow, actor=SYSTEM_ACTOR, prefix="zzzzzzzz")


def test_user_contact_and_role_lookup(platform: Platform) -> None:
    user = make_user(platform, SECURITY_ANALYST)
    with platform.uow() as uow:
        services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username="lienhe",
            password=None,
            roles=[CITIZEN],
            email="lienhe@example.vn",
            phone="0912345678",
        )
        found = api.find_user(uow, "LIENHE")
        assert found is not None
        contact = api.get_user_contact(uow, found.id)
        assert contact == api.UserContact(found.id, "lienhe", "", "lienhe@example.vn", "0912345678", "vi")
        assert api.get_user_contact(uow, uuid.uuid4()) is None
        assert user.id in api.user_ids_with_role(uow, SECURITY_ANALYST)
        assert found.id not in api.user_ids_with_role(uow, SECURITY_ANALYST)
    with pytest.raises(InvalidInput) as err, platform.uow() as uow:
        services.create_user(
            uow, actor=SYSTEM_ACTOR, username="sodt", password=None, roles=[CITIZEN], phone="12345"
        )
    assert err.value.code == "invalid_phone"


def test_oidc_users_are_linked_by_issuer_and_subject(platform: Platform) -> None:
    local = make_user(platform, username="trung")
    with platform.uow() as uow:
        uow.session.get(User, local.id).email = "trung@example.vn"  # type: ignore[union-attr]
        uow.commit()
    claims = {
        "preferred_username": "trung",
        "email": "trung@example.vn",
        "email_verified": True,
        "name": "Trung",
    }
    with platform.uow() as uow:
        first = services.link_or_create_oidc_user(
            uow, issuer="https://sso.example", subject="abc-1", claims=claims, default_role="citizen"
        )
        again = services.link_or_create_oidc_user(
            uow, issuer="https://sso.example", subject="abc-1", claims={}, default_role="citizen"
        )
        other_issuer = services.link_or_create_oidc_user(
            uow, issuer="https://other.example", subject="abc-1", claims={}, default_role="officer"
        )
    assert first.id != local.id, "an e-mail address never links to an existing local account"
    assert first.username.startswith("trung-") and first.roles == (CITIZEN,)
    assert first.email == "trung@example.vn" and first.full_name == "Trung"
    assert again.id == first.id
    assert other_issuer.id != first.id and other_issuer.roles == (OFFICER,)
    assert audit_actions(platform, str(first.id)) == ["identity.user.create_from_oidc"]


def test_purge_removes_ended_sessions_and_old_attempts(platform: Platform, clock: FrozenClock) -> None:
    from thanglong.domains.identity import tasks  # noqa: PLC0415 - the job module, tested on its own

    user = make_user(platform)
    with platform.uow() as uow:
        ended = credentials.create_session(uow, user_id=user.id, max_age_seconds=3600)
        credentials.end_session(uow, token=ended.token)
    with pytest.raises(Unauthenticated):
        login(platform, user.username, "wrong-password")
    clock.advance(2 * 86400)
    with pytest.raises(Unauthenticated):
        login(platform, user.username, "wrong-password")
    with platform.uow() as uow:
        live = credentials.create_session(uow, user_id=user.id, max_age_seconds=3600)
    assert tasks.purge_expired(platform) == {"sessions": 1, "login_attempts": 1}
    assert api.resolve_session(platform, live.token) is not None
    assert tasks.purge_expired(platform) == {"sessions": 0, "login_attempts": 0}
    assert audit_actions(platform, "*") == ["identity.purge"]
