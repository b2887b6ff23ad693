"""The alarm rules page (/operations/alarms/rules): the active rules, and a YAML file checked or imported.

The same use case as `thanglong operations alarms rules import FILE [--dry-run]` and the JSON API
(docs/operations-alarms.md): a file is a YAML stream of rules; every problem is listed with its line.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile

from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.security import Principal
from thanglong.core.webctx import WebContext
from thanglong.domains.operations.alarms import services
from thanglong.domains.operations.alarms.rules import RulesInvalid
from thanglong.domains.operations.web.alarms import MAX_RULES_BYTES, PERMISSION, when, who

PAGE = "/operations/alarms/rules"


async def _read_upload(request: Request) -> tuple[str, bool]:
    """Return the uploaded rule file's text and whether only a check was asked; refuse what cannot be read."""
    form = await request.form()
    try:
        upload = form.get("rules")
        dry_run = form.get("action") == "check"
        content = b""
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(MAX_RULES_BYTES + 1)
    finally:
        await form.close()
    if not content:
        raise InvalidInput(
            "alarm_rules_file_missing", "Hãy chọn tệp luật (YAML).", "Choose the rule file (YAML)."
        )
    if len(content) > MAX_RULES_BYTES:
        raise InvalidInput(
            "alarm_rules_too_large",
            f"Tệp luật lớn hơn {MAX_RULES_BYTES // 1024} KB.",
            f"The rule file is larger than {MAX_RULES_BYTES // 1024} KB.",
        )
    try:
        return content.decode("utf-8"), dry_run
    except UnicodeDecodeError:
        raise InvalidInput(
            "alarm_rules_not_utf8", "Tệp luật phải là UTF-8.", "The rule file must be UTF-8."
        ) from None


def build_alarm_rules(ctx: WebContext) -> APIRouter:
    """Build the alarm rules page."""
    router = APIRouter()

    async def render(
        request: Request,
        *,
        error: ThangLongError | None = None,
        checked: list[services.RuleVersionDTO] | None = None,
        status_code: int = 200,
    ) -> Any:
        rules = await ctx.run(request, services.list_rules)
        problems = error.problems if isinstance(error, RulesInvalid) else []
        return ctx.render(
            request,
            "operations/alarm_rules.html",
            {
                "rules": rules,
                "error": error,
                "problems": problems,
                "checked": checked,
                "when": when,
                "who": who,
            },
            status_code=status_code,
        )

    @router.get(PAGE, include_in_schema=False)
    async def page(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """List the active rules with the form that checks or imports a rule file."""
        return await render(request)

    @router.post(PAGE, include_in_schema=False)
    async def upload(request: Request, principal: Principal = ctx.requires(PERMISSION)) -> Any:
        """Check a rule file (nothing stored) or import it as new rule versions, and say what happened."""
        try:
            text, dry_run = await _read_upload(request)
            versions = await ctx.run(
                request, services.import_rules, actor=principal.actor, text=text, dry_run=dry_run
            )
        except ThangLongError as exc:
            return await render(request, error=exc, status_code=exc.status)
        if dry_run:
            return await render(request, checked=versions)
        names = ", ".join(f"{v.name} v{v.version}" for v in versions)
        return ctx.redirect(
            PAGE,
            notice_vi=f"Đã nhập {len(versions)} luật: {names}. Luật được đánh giá từ lần chạy kế tiếp "
            "(mỗi phút).",
            notice_en=f"{len(versions)} rule(s) imported: {names}. They are evaluated from the next run "
            "(every minute).",
        )

    return router
