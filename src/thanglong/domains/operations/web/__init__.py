"""The web part of operations: the NGSI-LD API, the operator pages and the scorecard (FastAPI only here)."""
