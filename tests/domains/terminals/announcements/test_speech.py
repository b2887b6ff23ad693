"""Speech instead of an uploaded file: the text spoken by the real espeak-ng, stored and served alike."""

from __future__ import annotations

import hashlib
import wave
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import func, select

from tests.domains.identity.helpers import csrf_value, make_user, sign_in
from tests.domains.terminals.announcements.helpers import HOAN_KIEM, approve, create, draft
from tests.domains.terminals.announcements.test_web import PAGE, _form
from thanglong.core.errors import InvalidInput
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import AGENCY_HEAD, OFFICER
from thanglong.domains.terminals.announcements import audio, services
from thanglong.domains.terminals.announcements.audio import check_audio, spoken_text
from thanglong.domains.terminals.announcements.models import Announcement, AnnouncementAudio
from thanglong.domains.terminals.speech.services import speak_to_file

NS = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}


def _resource(cap_xml: str) -> etree._Element:
    (resource,) = etree.fromstring(cap_xml.encode()).findall(".//c:resource", NS)
    return resource


def _counts(platform: Platform) -> tuple[int, int]:
    with platform.uow() as uow:
        rows = uow.session.scalar(select(func.count()).select_from(Announcement)) or 0
        files = uow.session.scalar(select(func.count()).select_from(AnnouncementAudio)) or 0
    return rows, files


def test_the_text_is_read_as_a_reader_would_read_it() -> None:
    assert spoken_text("Cắt nước", "Từ 8h đến 11h  ngày 03/12/2026", "Trữ nước!") == (
        "Cắt nước.\nTừ 8h đến 11h ngày 03/12/2026.\nTrữ nước!"
    )
    assert spoken_text("Tiêu đề:", "Nội dung.", "  ") == "Tiêu đề:\nNội dung."


def test_a_spoken_draft_stores_the_wav_of_its_text_and_announces_it(
    platform: Platform, espeak_ng: str, tmp_path: Path
) -> None:
    officer = make_user(platform, OFFICER)
    made = create(platform, officer, speak=True, submit=False)
    with platform.uow() as uow:
        stored = uow.session.scalar(select(AnnouncementAudio))
        assert stored is not None
        data, sha1, size = stored.data, stored.sha1, stored.size
        assert stored.mime_type == "audio/wav" and stored.filename == f"{made.identifier}-giong-doc.wav"
        (spoken_audit,) = uow.session.scalars(
            select(AuditRecord.after).where(AuditRecord.action == "terminals.announcement.drafted")
        )
    with wave.open(BytesIO(data)) as reader:
        assert reader.getnframes() / reader.getframerate() > 2.0  # three sentences, seconds of speech
    assert spoken_audit is not None and spoken_audit["audio"] == "speech"
    # The very text of the draft, headline, description and instruction, as espeak-ng speaks it alone.
    base = draft(platform)
    alone = speak_to_file(spoken_text(base.headline, base.description, base.instruction), tmp_path / "a.wav")
    assert alone.sha1 == sha1 == hashlib.sha1(data, usedforsecurity=False).hexdigest()
    resource = _resource(made.cap_xml)
    assert resource.findtext("c:mimeType", namespaces=NS) == "audio/wav"
    assert resource.findtext("c:size", namespaces=NS) == str(size) == str(len(data))
    assert resource.findtext("c:digest", namespaces=NS) == sha1


def test_speech_and_a_file_together_are_refused(platform: Platform, espeak_ng: str) -> None:
    officer = make_user(platform, OFFICER)
    with pytest.raises(InvalidInput) as caught:
        create(platform, officer, speak=True, audio=check_audio("loa.mp3", b"ID3" + b"\x00" * 100))
    assert caught.value.code == "audio_and_speech"
    assert _counts(platform) == (0, 0)


def test_a_recording_over_the_upload_limit_is_refused(
    platform: Platform, espeak_ng: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audio, "MAX_AUDIO_BYTES", 10_000)
    with pytest.raises(InvalidInput) as caught:
        create(platform, make_user(platform, OFFICER), speak=True)
    assert caught.value.code == "speech_audio_too_large" and "rút gọn" in caught.value.message_vi
    assert _counts(platform) == (0, 0)


def test_an_update_spoken_replaces_the_carried_audio(platform: Platform, espeak_ng: str) -> None:
    officer, head = make_user(platform, OFFICER), make_user(platform, AGENCY_HEAD)
    first = approve(
        platform, head, create(platform, officer, audio=check_audio("a.mp3", b"ID3" + b"\0" * 50)).id
    )
    changed = draft(platform, headline="Thay đổi lịch cắt nước", speak=True)
    with platform.uow() as uow:
        update = services.draft_update(
            uow, actor="user:x", user_id=officer.id, previous_id=first.id, draft=changed
        )
    assert _resource(update.cap_xml).findtext("c:mimeType", namespaces=NS) == "audio/wav"


def test_the_form_speaks_the_text_and_the_released_alert_serves_it(
    client: TestClient, platform: Platform, espeak_ng: str
) -> None:
    officer, head = make_user(platform, OFFICER), make_user(platform, AGENCY_HEAD)
    sign_in(client, platform, officer)
    page = client.get(PAGE + "/new")
    assert 'name="speak" value="1"' in page.text
    data = _form(platform, client, speak="1", instruction="Đưa trẻ dưới 5 tuổi đến tiêm.")
    made = client.post(PAGE + "/new", data=data | {"communes": [HOAN_KIEM]})
    assert made.status_code == 200, made.text
    assert "-giong-doc.wav (audio/wav" in made.text
    announcement_id = made.url.path.rsplit("/", 1)[1]
    client.cookies.clear()
    sign_in(client, platform, head)
    done = client.post(f"{PAGE}/{announcement_id}/approve", data={"csrf_token": csrf_value(client)})
    assert done.status_code == 200
    with platform.uow() as uow:
        row = uow.session.scalar(select(Announcement))
        assert row is not None
        identifier, cap_xml = row.identifier, row.cap_xml
    served = client.get(f"/terminals/alerts/{identifier}/audio")
    assert served.status_code == 200 and served.headers["content-type"] == "audio/wav"
    assert served.content[:4] == b"RIFF"
    digest = _resource(cap_xml).findtext("c:digest", namespaces=NS)
    assert hashlib.sha1(served.content, usedforsecurity=False).hexdigest() == digest


def test_without_espeak_ng_the_form_answers_503_and_stores_nothing(
    client: TestClient, platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, platform, make_user(platform, OFFICER))
    data = _form(platform, client, speak="1") | {"communes": [HOAN_KIEM]}
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no espeak-ng to be found
    refused = client.post(PAGE + "/new", data=data)
    assert refused.status_code == 503
    assert "Chưa cài espeak-ng" in refused.text and 'id="ann-error"' in refused.text
    assert 'name="speak" value="1" id="ann-speak" checked' in refused.text  # the form comes back as sent
    assert _counts(platform) == (0, 0)
    client.get("/lang/en?next=/")
    english = client.post(PAGE + "/new", data=data | {"csrf_token": csrf_value(client)})
    assert english.status_code == 503 and "espeak-ng is not installed" in english.text
