"""Use cases over the @context documents an administrator registers (nothing is fetched at run time)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from thanglong.core import audit
from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.models import ContextDocument
from thanglong.domains.operations.ngsi.context import is_builtin, resolve

_URL = re.compile(r"^https?://[^\s<>\"]+$")
MAX_URL = 2048


@dataclass(frozen=True)
class ContextInfo:
    """A registered context document, without its content."""

    url: str
    sha256: str
    terms: int
    added_by: str
    added_at: datetime


def _digest(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _terms(document: Any) -> int:
    context = document.get("@context") if isinstance(document, dict) else None
    items = context if isinstance(context, list) else [context]
    return sum(len(item) for item in items if isinstance(item, dict))


def add_context(uow: UnitOfWork, *, actor: str, url: str, document: Any) -> ContextInfo:
    """Register (or replace) the document served for a @context URL; it must resolve on its own."""
    if not _URL.match(url) or len(url) > MAX_URL:
        raise InvalidInput(
            "invalid_context_url",
            f"URL @context không hợp lệ: {url!r}.",
            f"Invalid @context URL: {url!r}.",
        )
    if is_builtin(url):
        raise InvalidInput(
            "builtin_context",
            f"{url} là @context có sẵn của nền tảng, không đăng ký lại.",
            f"{url} is shipped with the platform and cannot be registered again.",
        )
    if not isinstance(document, dict) or "@context" not in document:
        raise InvalidInput(
            "invalid_context_document",
            "Tài liệu phải là đối tượng JSON có khóa @context.",
            "The document must be a JSON object with an @context key.",
        )
    statement = select(ContextDocument.url, ContextDocument.document)
    registered = dict(uow.session.execute(statement).all())
    registered[url] = document
    # Resolving it now refuses a broken document before any entity depends on it.
    resolve(url, registered.get)
    now = uow.clock()
    digest = _digest(document)
    row = uow.session.scalar(select(ContextDocument).where(ContextDocument.url == url))
    before = {"sha256": row.sha256} if row is not None else None
    if row is None:
        row = ContextDocument(url=url, document=document, sha256=digest, added_by=actor, added_at=now)
        uow.session.add(row)
    else:
        row.document, row.sha256, row.added_by, row.added_at = document, digest, actor, now
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="operations.contexts.add",
        object_type="operations.context",
        object_id=url[:200],
        before=before,
        after={"url": url, "sha256": digest},
    )
    uow.commit()
    return ContextInfo(url, digest, _terms(document), actor, now)


def list_contexts(uow: UnitOfWork) -> list[ContextInfo]:
    """List the registered context documents by URL."""
    rows = uow.session.scalars(select(ContextDocument).order_by(ContextDocument.url))
    return [ContextInfo(r.url, r.sha256, _terms(r.document), r.added_by, r.added_at) for r in rows]
