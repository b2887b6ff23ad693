"""The identity JSON API under /api/v1/identity."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Request

from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import Principal
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


def build_api_router(ctx: WebContext) -> APIRouter:
    """Build the JSON routes: accounts, agencies and API keys."""
    platform = ctx.platform
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
    def api_list_users(
        role: str | None = None,
        limit: int = 500,
        offset: int = 0,
        _p: Principal = ctx.requires("identity.users.read"),
    ) -> list[UserOut]:
        """List accounts (administrators only), optionally those holding a declared role."""
        if role is not None:
            platform.roles.check([role])
        with platform.uow() as uow:
            users = services.list_users(uow, role=role, limit=max(1, min(limit, 1000)), offset=max(0, offset))
        return [UserOut.of(u) for u in users]

    @api.post("/users", response_model=UserOut, status_code=201)
    def api_create_user(
        body: UserCreate, request: Request, principal: Principal = ctx.requires("identity.users.write")
    ) -> UserOut:
        """Create an account."""
        with platform.uow() as uow:
            agency_id = None
            if body.agency_code:
                agency = agencies.find_agency(uow, body.agency_code)
                if agency is None:
                    raise InvalidInput("agency_not_found", "Không tìm thấy cơ quan.", "Agency not found.")
                agency_id = agency.id
            user = services.create_user(
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
        return UserOut.of(user)

    @api.get("/users/{user_id}", response_model=UserOut)
    def api_get_user(user_id: uuid.UUID, _p: Principal = ctx.requires("identity.users.read")) -> UserOut:
        """Return one account."""
        with platform.uow() as uow:
            user = services.get_user(uow, user_id)
        if user is None:
            raise NotFound("user_not_found", "Không tìm thấy tài khoản.", "User not found.")
        return UserOut.of(user)

    @api.put("/users/{user_id}/roles", response_model=UserOut)
    def api_set_roles(
        user_id: uuid.UUID,
        roles: Annotated[list[RoleIn], Body(max_length=MAX_ROLES_PER_USER)],
        request: Request,
        principal: Principal = ctx.requires("identity.users.write"),
    ) -> UserOut:
        """Replace the roles of an account."""
        with platform.uow() as uow:
            user = services.set_roles(
                uow, actor=principal.actor, user_id=user_id, roles=roles, source_ip=ctx.client_ip(request)
            )
        return UserOut.of(user)

    _add_agency_and_key_routes(ctx, api)
    return api


def _add_agency_and_key_routes(ctx: WebContext, api: APIRouter) -> None:
    """Add the agency and API-key routes."""
    platform = ctx.platform

    @api.get("/agencies", response_model=list[AgencyOut])
    def api_list_agencies(_p: Principal = ctx.requires("identity.agencies.read")) -> list[AgencyOut]:
        """List agencies by electronic ID code."""
        with platform.uow() as uow:
            return [AgencyOut.of(a) for a in agencies.list_agencies(uow)]

    @api.post("/agencies", response_model=AgencyOut, status_code=201)
    def api_create_agency(
        body: AgencyCreate, request: Request, principal: Principal = ctx.requires("identity.agencies.write")
    ) -> AgencyOut:
        """Register an agency."""
        with platform.uow() as uow:
            parent_id = None
            if body.parent_code:
                parent = agencies.find_agency(uow, body.parent_code)
                if parent is None:
                    raise InvalidInput(
                        "agency_not_found", "Không tìm thấy cơ quan cấp trên.", "Parent agency not found."
                    )
                parent_id = parent.id
            agency = agencies.create_agency(
                uow,
                actor=principal.actor,
                code=body.code,
                name=body.name,
                short_name=body.short_name,
                parent_id=parent_id,
                commune_code=body.commune_code,
                source_ip=ctx.client_ip(request),
            )
        return AgencyOut.of(agency)

    @api.get("/api-keys", response_model=list[ApiKeyOut])
    def api_list_keys(_p: Principal = ctx.requires("identity.apikeys.write")) -> list[ApiKeyOut]:
        """List API keys (never their secrets)."""
        with platform.uow() as uow:
            return [ApiKeyOut.of(k) for k in credentials.list_api_keys(uow)]

    @api.post("/api-keys", response_model=ApiKeyIssued, status_code=201)
    def api_create_key(
        body: ApiKeyCreate, request: Request, principal: Principal = ctx.requires("identity.apikeys.write")
    ) -> ApiKeyIssued:
        """Issue an API key; the plain key is in this answer only."""
        with platform.uow() as uow:
            dto, key = credentials.create_api_key(
                uow, actor=principal.actor, name=body.name, role=body.role, source_ip=ctx.client_ip(request)
            )
        return ApiKeyIssued(**ApiKeyOut.of(dto).model_dump(), key=key)

    @api.delete("/api-keys/{prefix}", response_model=ApiKeyOut)
    def api_revoke_key(
        prefix: str, request: Request, principal: Principal = ctx.requires("identity.apikeys.write")
    ) -> ApiKeyOut:
        """Revoke an API key by its prefix."""
        with platform.uow() as uow:
            dto = credentials.revoke_api_key(
                uow, actor=principal.actor, prefix=prefix, source_ip=ctx.client_ip(request)
            )
        return ApiKeyOut.of(dto)
