"""Input and output shapes of the identity JSON API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from thanglong.domains.identity.agencies import AgencyDTO
from thanglong.domains.identity.credentials import ApiKeyDTO
from thanglong.domains.identity.services import UserDTO

# A role as sent by a client: checked against the roles the enabled domains declare by the use case.
RoleIn = Annotated[str, Field(min_length=1, max_length=64)]
MAX_ROLES_PER_USER = 100


class UserCreate(BaseModel):
    """A new account."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64)
    password: str | None = Field(default=None, max_length=256)
    roles: list[RoleIn] = Field(min_length=1, max_length=MAX_ROLES_PER_USER)
    full_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    agency_code: str | None = Field(default=None, max_length=35)


class UserOut(BaseModel):
    """An account as the API shows it."""

    id: uuid.UUID
    username: str
    full_name: str
    email: str | None
    phone: str | None
    language: str
    is_active: bool
    agency_id: uuid.UUID | None
    roles: list[str]
    created_at: datetime

    @classmethod
    def of(cls, dto: UserDTO) -> UserOut:
        """Build from a DTO."""
        return cls.model_validate(dto, from_attributes=True)


class AgencyCreate(BaseModel):
    """A new agency."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=13, max_length=35)
    name: str = Field(min_length=1, max_length=300)
    short_name: str = Field(default="", max_length=100)
    parent_code: str | None = Field(default=None, max_length=35)
    commune_code: str | None = Field(default=None, max_length=10)


class AgencyOut(BaseModel):
    """An agency as the API shows it."""

    id: uuid.UUID
    code: str
    name: str
    short_name: str
    parent_id: uuid.UUID | None
    commune_code: str | None

    @classmethod
    def of(cls, dto: AgencyDTO) -> AgencyOut:
        """Build from a DTO."""
        return cls(
            id=dto.id,
            code=dto.code,
            name=dto.name,
            short_name=dto.short_name,
            parent_id=dto.parent_id,
            commune_code=dto.commune_code,
        )


class ApiKeyCreate(BaseModel):
    """A request for a new API key."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: RoleIn


class ApiKeyOut(BaseModel):
    """An API key without its secret."""

    id: uuid.UUID
    name: str
    prefix: str
    role: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, dto: ApiKeyDTO) -> ApiKeyOut:
        """Build from a DTO."""
        return cls(
            id=dto.id,
            name=dto.name,
            prefix=dto.prefix,
            role=dto.role,
            created_by=dto.created_by,
            created_at=dto.created_at,
            revoked_at=dto.revoked_at,
            last_used_at=dto.last_used_at,
        )


class ApiKeyIssued(ApiKeyOut):
    """A new API key, with the plain key shown this once."""

    key: str


class Me(BaseModel):
    """Who the caller is."""

    kind: str
    id: uuid.UUID | None
    name: str
    roles: list[str]
    permissions: list[str]
