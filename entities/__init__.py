"""Junipeer Entities: browse, search and retry synced records."""
