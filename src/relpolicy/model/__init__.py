"""The policy language: one pydantic model per kind, the single source of truth for the schemas."""
