"""The import contract: validation, staging, upsert (CLI import and the API share it)."""
