"""Flow freshness, alert rules, the evaluator, notification channels, group lifecycle."""
