"""Retry requests, the worker, handlers, the auto-retry policy."""
