"""The one linear Alembic history of the platform."""
