"""The identity JSON API under /api/v1/identity."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.core.webctx import WebContext
from thanglong.domains.identity import agencies, credentials, services
from thanglong.domains.identity.schemas import (
    MAX_ROLES_PER_USER,
    AgencyCreate,
    AgencyOut,
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyOut,
    Me,
    RoleIn,
    UserCreate,
    UserOut,
)

# Paging beyond a million accounts is a mistake or a probe; the database would overflow near 2**63.
MAX_OFFSET = 1_000_000


def _agency_id(uow: UnitOfWork, code: str | None, message_vi: str, message_en: str) -> uuid.UUID | None:
    """Return the id of the agency with an electronic ID code (None without a code)."""
    if not code:
        return None
    agency = agencies.find_agency(uow, code)
    if agency is None:
        raise InvalidInput("agency_not_found", message_vi, message_en)
    return agency.id


def build_api_router(ctx: WebContext) -> APIRouter:
    """Build the JSON routes: accounts, agencies and API keys."""
    api = APIRouter(prefix="/api/v1/identity", tags=["identity"])

    @api.get("/me", response_model=Me)
    def api_me(principal: Principal = ctx.requires("identity.profile.read")) -> Me:
        """Tell who the caller is and what it may do."""
        return Me(
            kind=principal.kind,
            id=principal.id,
            name=principal.name,
            roles=sorted(principal.roles),
            permissions=sorted(principal.permissions),
        )

    @api.get("/users", response_model=list[UserOut])
    async def api_list_users(
        request: Request,
        role: str | None = None,
        limit: int = Query(
            500, ge=1, le=1000, description="Số tài khoản tối đa / at most this many (1–1000)"
        ),
        offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Bỏ qua / skip this many (0–1,000,000)"),
        _p: Principal = ctx.requires("identity.users.read"),
    ) -> list[UserOut]:
        """List accounts (administrators only), optionally those holding a declared role."""
        if role is not None:
            ctx.platform.roles.check([role])
        users = await ctx.run(request, services.list_users, role=role, limit=limit, offset=offset)
        return [UserOut.of(u) for u in users]

    @api.post("/users", response_model=UserOut, status_code=201)
    async def api_create_user(
        body: UserCreate, request: Request, principal: Principal = ctx.requires("identity.users.write")
    ) -> UserOut:
        """Create an account."""

        def create(uow: UnitOfWork) -> services.UserDTO:
            agency_id = _agency_id(uow, body.agency_code, "Không tìm thấy cơ quan.", "Agency not found.")
            return services.create_user(
                uow,
                actor=principal.actor,
                username=body.username,
                password=body.password,
                roles=body.roles,
                full_name=body.full_name,
                email=body.email,
                phone=body.phone,
                agency_id=agency_id,
                source_ip=ctx.client_ip(request),
            )

        return UserOut.of(await ctx.run(request, create))

    @api.get("/users/{user_id}", response_model=UserOut)
    async def api_get_user(
        user_id: uuid.UUID, request: Request, _p: Principal = ctx.requires("identity.users.read")
    ) -> UserOut:
        """Return one account."""
        user = await ctx.run(request, services.get_user, user_id)
        if user is None:
            raise NotFound("user_not_found", "Không tìm thấy tài khoản.", "User not found.")
        return UserOut.of(user)

    @api.put("/users/{user_id}/roles", response_model=UserOut)
    async def api_set_roles(
        user_id: uuid.UUID,
        roles: Annotated[list[RoleIn], Body(max_length=MAX_ROLES_PER_USER)],
        request: Request,
        principal: Principal = ctx.requires("identity.users.write"),
    ) -> UserOut:
        """Replace the roles of an account."""
        user = await ctx.run(
            request,
            services.set_roles,
            actor=principal.actor,
            user_id=user_id,
            roles=roles,
            source_ip=ctx.client_ip(request),
        )
        return UserOut.of(user)

    _add_agency_and_key_routes(ctx, api)
    return api


def _add_agency_and_key_routes(ctx: WebContext, api: APIRouter) -> None:
    """Add the agency and API-key routes."""

    @api.get("/agencies", response_model=list[AgencyOut])
    async def api_list_agencies(
        request: Request, _p: Principal = ctx.requires("identity.agencies.read")
    ) -> list[AgencyOut]:
        """List agencies by electronic ID code."""
        return [AgencyOut.of(a) for a in await ctx.run(request, agencies.list_agencies)]

    @api.post("/agencies", response_model=AgencyOut, status_code=201)
    async def api_create_agency(
        body: AgencyCreate, request: Request, principal: Principal = ctx.requires("identity.agencies.write")
    ) -> AgencyOut:
        """Register an agency."""

        def create(uow: UnitOfWork) -> agencies.AgencyDTO:
            parent_id = _agency_id(
                uow, body.parent_code, "Không tìm thấy cơ quan cấp trên.", "Parent agency not found."
            )
            return agencies.create_agency(
                uow,
                actor=principal.actor,
                code=body.code,
                name=body.name,
                short_name=body.short_name,
                parent_id=parent_id,
                commune_code=body.commune_code,
                source_ip=ctx.client_ip(request),
            )

        return AgencyOut.of(await ctx.run(request, create))

    @api.get("/api-keys", response_model=list[ApiKeyOut])
    async def api_list_keys(
        request: Request, _p: Principal = ctx.requires("identity.apikeys.write")
    ) -> list[ApiKeyOut]:
        """List API keys (never their secrets)."""
        return [ApiKeyOut.of(k) for k in await ctx.run(request, credentials.list_api_keys)]

    @api.post("/api-keys", response_model=ApiKeyIssued, status_code=201)
    async def api_create_key(
        body: ApiKeyCreate, request: Request, principal: Principal = ctx.requires("identity.apikeys.write")
    ) -> ApiKeyIssued:
        """Issue an API key; the plain key is in this answer only."""
        dto, key = await ctx.run(
            request,
            credentials.create_api_key,
            actor=principal.actor,
            name=body.name,
            role=body.role,
            source_ip=ctx.client_ip(request),
        )
        return ApiKeyIssued(**ApiKeyOut.of(dto).model_dump(), key=key)

    @api.delete("/api-keys/{prefix}", response_model=ApiKeyOut)
    async def api_revoke_key(
        prefix: str, request: Request, principal: Principal = ctx.requires("identity.apikeys.write")
    ) -> ApiKeyOut:
        """Revoke an API key by its prefix."""
        dto = await ctx.run(
            request,
            credentials.revoke_api_key,
            actor=principal.actor,
            prefix=prefix,
            source_ip=ctx.client_ip(request),
        )
        return ApiKeyOut.of(dto)
