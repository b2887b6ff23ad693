"""HTML administration pages: accounts with their roles, and agencies."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from thanglong.core.errors import ThangLongError
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import FormFields, WebContext
from thanglong.domains.identity import agencies, services


def _optional_uuid(value: str) -> uuid.UUID | None:
    value = value.strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# Each row carries its roles form: a page of 50 renders in a few milliseconds, 1,000 would not.
USERS_PER_PAGE = 50


def _users_and_agencies(
    uow: UnitOfWork, page: int
) -> tuple[list[services.UserDTO], list[agencies.AgencyDTO], int]:
    users = services.list_users(uow, limit=USERS_PER_PAGE, offset=(page - 1) * USERS_PER_PAGE)
    return users, agencies.list_agencies(uow), services.count_users(uow)


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return min(int(raw), 100_000) if raw.isdigit() and int(raw) > 0 else 1


def build_admin_router(ctx: WebContext) -> APIRouter:
    """Build the administration pages."""
    router = APIRouter(prefix="/admin", include_in_schema=False)

    async def users_page(
        request: Request,
        principal: Principal,
        *,
        error: ThangLongError | None = None,
        form: FormFields | None = None,
    ) -> Any:
        page = _page(request)
        users, agency_list, total = await ctx.run(request, _users_and_agencies, page)
        pages = max(1, -(-total // USERS_PER_PAGE))
        return ctx.render(
            request,
            "identity/users.html",
            {
                "users": users,
                "agencies": {a.id: a for a in agency_list},
                "agency_list": agency_list,
                "roles": ctx.platform.roles,
                "can_write": principal.can("identity.users.write"),
                "me_id": principal.id,
                "page": min(page, pages),
                "pages": pages,
                "total": total,
                "error": error,
                "form": form or FormFields(),
            },
            status_code=error.status if error else 200,
        )

    @router.get("/users")
    async def list_users(request: Request, principal: Principal = ctx.requires("identity.users.read")) -> Any:
        return await users_page(request, principal)

    @router.post("/users")
    async def create_user(
        request: Request, principal: Principal = ctx.requires("identity.users.write")
    ) -> Any:
        form = await ctx.read_form(request)
        try:
            created = await ctx.run(
                request,
                services.create_user,
                actor=principal.actor,
                username=form.get("username"),
                password=form.get("password") or None,
                roles=form.getlist("role"),
                full_name=form.get("full_name"),
                email=form.get("email") or None,
                phone=form.get("phone") or None,
                agency_id=_optional_uuid(form.get("agency_id")),
                source_ip=ctx.client_ip(request),
            )
        except ThangLongError as exc:
            return await users_page(request, principal, error=exc, form=form)
        return ctx.redirect(
            f"/admin/users#user-{created.id}",
            notice_vi=f"Đã tạo tài khoản {created.username}.",
            notice_en=f"Account {created.username} created.",
        )

    @router.post("/users/{user_id}/roles")
    async def edit_roles(
        user_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("identity.users.write")
    ) -> Any:
        form = await ctx.read_form(request)
        user = await ctx.run(
            request,
            services.set_roles,
            actor=principal.actor,
            user_id=user_id,
            roles=form.getlist("role"),
            source_ip=ctx.client_ip(request),
        )
        if request.headers.get("hx-request"):
            agency_list = await ctx.run(request, agencies.list_agencies)
            return ctx.render(
                request,
                "identity/_user_row.html",
                {
                    "u": user,
                    "agencies": {a.id: a for a in agency_list},
                    "roles": ctx.platform.roles,
                    "can_write": True,
                    "me_id": principal.id,
                    "saved": True,
                },
            )
        return ctx.redirect(
            f"/admin/users#user-{user.id}",
            notice_vi=f"Đã lưu vai trò của {user.username}.",
            notice_en=f"Roles of {user.username} saved.",
        )

    @router.post("/users/{user_id}/deactivate")
    async def deactivate_user(
        user_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("identity.users.write")
    ) -> Any:
        await ctx.read_form(request)
        try:
            user = await ctx.run(
                request,
                services.deactivate,
                actor=principal.actor,
                user_id=user_id,
                source_ip=ctx.client_ip(request),
            )
        except ThangLongError as exc:
            return await users_page(request, principal, error=exc)
        return ctx.redirect(
            f"/admin/users#user-{user.id}",
            notice_vi=f"Đã khoá tài khoản {user.username}; các phiên đăng nhập của tài khoản đã kết thúc.",
            notice_en=f"Account {user.username} locked; its sessions have ended.",
        )

    @router.post("/users/{user_id}/reactivate")
    async def reactivate_user(
        user_id: uuid.UUID, request: Request, principal: Principal = ctx.requires("identity.users.write")
    ) -> Any:
        await ctx.read_form(request)
        user = await ctx.run(
            request,
            services.reactivate,
            actor=principal.actor,
            user_id=user_id,
            source_ip=ctx.client_ip(request),
        )
        return ctx.redirect(
            f"/admin/users#user-{user.id}",
            notice_vi=f"Đã mở khoá tài khoản {user.username}.",
            notice_en=f"Account {user.username} unlocked.",
        )

    async def agencies_page(
        request: Request,
        principal: Principal,
        *,
        error: ThangLongError | None = None,
        form: FormFields | None = None,
    ) -> Any:
        agency_list = await ctx.run(request, agencies.list_agencies)
        return ctx.render(
            request,
            "identity/agencies.html",
            {
                "agency_list": agency_list,
                "agencies": {a.id: a for a in agency_list},
                "can_write": principal.can("identity.agencies.write"),
                "error": error,
                "form": form or FormFields(),
            },
            status_code=error.status if error else 200,
        )

    @router.get("/agencies")
    async def list_agencies(
        request: Request, principal: Principal = ctx.requires("identity.agencies.read")
    ) -> Any:
        return await agencies_page(request, principal)

    @router.post("/agencies")
    async def create_agency(
        request: Request, principal: Principal = ctx.requires("identity.agencies.write")
    ) -> Any:
        form = await ctx.read_form(request)
        try:
            agency = await ctx.run(
                request,
                agencies.create_agency,
                actor=principal.actor,
                code=form.get("code"),
                name=form.get("name"),
                short_name=form.get("short_name"),
                parent_id=_optional_uuid(form.get("parent_id")),
                commune_code=form.get("commune_code") or None,
                source_ip=ctx.client_ip(request),
            )
        except ThangLongError as exc:
            return await agencies_page(request, principal, error=exc, form=form)
        return ctx.redirect(
            "/admin/agencies",
            notice_vi=f"Đã thêm cơ quan {agency.code} · {agency.name}.",
            notice_en=f"Agency {agency.code} · {agency.name} added.",
        )

    return router
