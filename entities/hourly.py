"""entity_hourly (counts per integration, type, status and hour of last_updated) kept in step with the entities.

Every write that changes entities' status or last_updated goes through update_entities, inside the caller's write
transaction; the importer does the same for its loads (entity_hourly_add_checked). The overview reads the counts
instead of scanning every record."""
import queries


def update_entities(con, name: str, changed: list[int], /, **params) -> None:
    """Run the named update of the `changed` entities, taking their old contribution out before and adding the new
    after."""
    queries.run(con, "entity_hourly_add_ids", ids=changed, sign=-1)
    queries.run(con, name, **params)
    queries.run(con, "entity_hourly_add_ids", ids=changed, sign=1)


def recount(con) -> None:
    """Rebuild the counts from the entities, after a bulk load that bypassed update_entities (the demo, fixtures)."""
    queries.run(con, "entity_hourly_recount")
