"""The web part of procedures: JSON API routes and HTML pages, the only modules that import FastAPI."""
