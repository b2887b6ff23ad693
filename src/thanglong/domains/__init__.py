"""The platform's domains; each one has the same files (see ARCHITECTURE.md)."""
