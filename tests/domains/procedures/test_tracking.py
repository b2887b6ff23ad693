"""Public tracking needs the dossier code and its tracking secret; misses look alike and are throttled."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.domains.identity.helpers import FrozenClock, sign_in
from tests.domains.procedures.documents_samples import sample
from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from thanglong.core.errors import NotFound, TooManyRequests
from thanglong.core.platform import Platform
from thanglong.domains.identity import services as identity_services
from thanglong.domains.procedures import api
from thanglong.domains.procedures.documents.forms import render_form
from thanglong.domains.procedures.dossiers import services, tracking
from thanglong.domains.procedures.dossiers.services import DossierDTO
from thanglong.domains.procedures.dossiers.tracking_secret import (
    ALPHABET,
    LENGTH,
    SECRET_PATTERN,
    new_secret,
    same_secret,
    tracking_url,
)
from thanglong.domains.procedures.models import TrackingFailure


def _received(platform: Platform, world: World, count: int = 1) -> list[DossierDTO]:
    """File and receive dossiers of the world's citizen; return them as received (with their codes)."""
    done = []
    for _ in range(count):
        with platform.uow() as uow:
            filed = services.submit_dossier(
                uow,
                principal=world.citizen,
                procedure_code=world.procedure_code,
                receiving_agency_id=world.agency_id,
                form_data=VALID_FORM,
            )
        with platform.uow() as uow:
            done.append(services.act(uow, principal=world.officer, ref=filed.id, action="receive"))
    return done


def _track(platform: Platform, code: str, secret: str | None, **kwargs: object) -> DossierDTO:
    with platform.uow() as uow:
        return tracking.track(uow, code=code, secret=secret, ip="203.0.113.7", **kwargs)  # type: ignore[arg-type]


def _miss(platform: Platform, code: str, secret: str | None, **kwargs: object) -> NotFound:
    with pytest.raises(NotFound) as caught:
        _track(platform, code, secret, **kwargs)
    return caught.value


def test_secrets_are_random_unambiguous_and_compared_whole() -> None:
    made = {new_secret() for _ in range(2000)}
    assert len(made) == 2000
    assert all(re.fullmatch(SECRET_PATTERN, s) for s in made)
    assert not set("01ILOUV") & set(ALPHABET) and LENGTH == 10
    secret = next(iter(made))
    assert same_secret(secret, secret)
    assert same_secret(f" {secret[:5].lower()}-{secret[5:]} ", secret)
    assert not same_secret(secret[:-1], secret) and not same_secret(secret + "2", secret)
    assert not same_secret("", "") and not same_secret(None, secret)
    assert tracking_url("000.00.61.H26-260302-0001", "ABCDE23456", base_url="https://dvc.hanoi.vn/") == (
        "https://dvc.hanoi.vn/track/000.00.61.H26-260302-0001?secret=ABCDE23456"
    )
    assert api.tracking_url is tracking_url


def test_tracking_needs_the_secret_and_misses_look_alike(platform: Platform) -> None:
    world = make_world(platform)
    (dossier,) = _received(platform, world)
    assert dossier.code and re.fullmatch(SECRET_PATTERN, dossier.tracking_secret)

    found = _track(platform, dossier.code, dossier.tracking_secret)
    assert found.id == dossier.id and "tracking_secret" not in found.public_view()
    assert _track(platform, dossier.code.lower(), dossier.tracking_secret.lower()).id == dossier.id

    other = "".join(ALPHABET[(ALPHABET.index(c) + 1) % len(ALPHABET)] for c in dossier.tracking_secret)
    unknown = f"{world.agency_code}-260302-9999"
    misses = [
        _miss(platform, dossier.code, None),
        _miss(platform, dossier.code, ""),
        _miss(platform, dossier.code, other),
        _miss(platform, unknown, dossier.tracking_secret),
        _miss(platform, unknown, None),
    ]
    assert {(m.code, m.status) for m in misses} == {("dossier_not_found", 404)}
    # The message names the code asked for, and nothing else: a wrong secret reads like a missing code.
    assert misses[0].message_vi.replace(dossier.code, "X") == misses[3].message_vi.replace(unknown, "X")
    assert misses[0].message_en.replace(dossier.code, "X") == misses[3].message_en.replace(unknown, "X")
    assert misses[0].details.keys() == misses[3].details.keys()


def test_the_applicant_needs_no_secret_others_do(platform: Platform) -> None:
    world = make_world(platform)
    (dossier,) = _received(platform, world)
    assert dossier.code
    assert _track(platform, dossier.code, None, principal=world.citizen).id == dossier.id
    _miss(platform, dossier.code, None, principal=world.outsider)


def test_enumerating_codes_finds_nothing_and_is_throttled(platform: Platform) -> None:
    clock = FrozenClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    platform.clock = clock
    world = make_world(platform)
    dossiers = _received(platform, world, count=3)
    codes = [d.code or "" for d in dossiers]
    assert all(codes)
    prefix = codes[0].rsplit("-", 1)[0]
    limit = 15
    # Every code of the day, in order, with no secret or a guessed one: all misses, none found.
    for seq in range(1, limit + 1):
        _miss(platform, f"{prefix}-{seq:04d}", new_secret(), max_failures=limit)
    with platform.uow() as uow:
        recorded = uow.session.scalar(select(func.count()).select_from(TrackingFailure))
    assert recorded == limit
    # Over the limit the address gets 429, even with the right secret; other addresses are not affected.
    with pytest.raises(TooManyRequests) as caught:
        _track(platform, codes[0], dossiers[0].tracking_secret, max_failures=limit)
    assert caught.value.status == 429 and caught.value.details["retry_after"] == 600
    with platform.uow() as uow:
        assert (
            tracking.track(
                uow, code=codes[1], secret=dossiers[1].tracking_secret, ip="198.51.100.1", max_failures=limit
            ).id
            == dossiers[1].id
        )
    # Once the misses leave the window the address may look again; the purge drops them.
    clock.advance(601)
    assert _track(platform, codes[0], dossiers[0].tracking_secret, max_failures=limit).id == dossiers[0].id
    with platform.uow() as uow:
        assert tracking.purge_failures(uow) == limit


def _user(platform: Platform, principal_id: object) -> identity_services.UserDTO:
    with platform.uow() as uow:
        user = identity_services.get_user(uow, principal_id)  # type: ignore[arg-type]
    assert user is not None
    return user


def test_tracking_api_and_page(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    (dossier,) = _received(platform, world)
    code, secret = dossier.code, dossier.tracking_secret
    assert code

    answers = [
        client.get(f"/api/v1/procedures/track/{code}"),
        client.get(f"/api/v1/procedures/track/{code}", params={"secret": new_secret()}),
        client.get(f"/api/v1/procedures/track/{world.agency_code}-260302-9999", params={"secret": secret}),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert {a.json()["code"] for a in answers} == {"dossier_not_found"}
    assert answers[0].json().keys() == answers[2].json().keys()
    found = client.get(f"/api/v1/procedures/track/{code}", params={"secret": secret})
    assert found.status_code == 200 and found.json()["code"] == code
    assert "tracking_secret" not in found.json()

    page = client.get(f"/track/{code}", params={"secret": "WRONG23456"})
    assert (
        page.status_code == 404 and 'id="track-error"' in page.text and 'id="tracked-code"' not in page.text
    )
    link = client.get(
        "/track", params={"code": code.lower(), "secret": secret.lower()}, follow_redirects=False
    )
    assert link.status_code == 303 and link.headers["location"] == tracking_url(code, secret)
    shown = client.get(link.headers["location"])
    assert shown.status_code == 200 and f'<code id="tracked-code">{code}</code>' in shown.text
    # The page is linked from every page's navigation, the home page's card among them.
    assert 'href="/track"' in client.get("/").text

    sign_in(client, platform, _user(platform, world.citizen.id))
    assert client.get(f"/track/{code}").status_code == 200
    mine = client.get(f"/my/dossiers/{dossier.id}")
    assert f'<code id="tracking-secret">{secret}</code>' in mine.text
    assert tracking_url(code, secret, base_url=platform.settings.public_base_url) in mine.text
    assert 'id="tracking-qr" src="data:image/png;base64,' in mine.text


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def test_the_receipt_prints_the_secret_and_link() -> None:
    data = sample("01_receipt")
    url = tracking_url(data["dossier_code"], "ABCDE23456", base_url="https://dvc.hanoi.vn")
    text = _pdf_text(
        render_form("01_receipt", {**data, "tracking_secret": "ABCDE23456", "tracking_url": url})
    )
    assert "Mã tra cứu hồ sơ: ABCDE23456" in text and "secret=ABCDE23456" in text.replace(" ", "")
    assert "ABCDE23456" not in _pdf_text(render_form("01_receipt", data))
