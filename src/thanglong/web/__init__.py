"""The web shell: FastAPI app factory, layout, static assets, authentication glue."""
