"""Overview: headline figures, error rate over time, integrations by open errors and error groups on the fixture DB."""
from datetime import UTC, datetime, timedelta

import pytest
from conftest import open_app

import queries
from entities import db
from entities.ui import overview as ov

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("integration", "stuck_minutes", "expected"), [
    (None, 60, {"records": 15, "errors": 5, "error_pct": 33.33, "pending": 2, "stuck": 0}),
    (None, 30, {"records": 15, "errors": 5, "error_pct": 33.33, "pending": 2, "stuck": 1}),
    (1, 1, {"records": 12, "errors": 4, "error_pct": 33.33, "pending": 2, "stuck": 2}),
    (2, 60, {"records": 3, "errors": 1, "error_pct": 33.33, "pending": 0, "stuck": 0}),
    (3, 60, {"records": 0, "errors": 0, "error_pct": 0, "pending": 0, "stuck": 0}),
])
def test_headline_figures(con, integration, stuck_minutes, expected):
    """An ops lead sees records, error %, pending and the pending ones stuck longer than the threshold."""
    row = queries.records(con, "overview_headline", integration=integration,
                          stuck_before=NOW - timedelta(minutes=stuck_minutes))[0]
    assert {k: row[k] for k in expected} == expected


@pytest.mark.parametrize(("integration", "oldest"), [
    (None, datetime(2026, 11, 25, 10, 0, tzinfo=UTC)),
    (2, datetime(2026, 11, 26, 6, 0, tzinfo=UTC)),
    (3, None),
])
def test_oldest_open_error(con, integration, oldest):
    """The headline names when the longest-open error last failed."""
    assert queries.records(con, "overview_headline", integration=integration,
                           stuck_before=NOW)[0]["oldest_error_at"] == oldest


def test_error_rate_per_day_and_type(con):
    """The daily error rate counts the records last synced each day and how many of them failed."""
    rows = queries.rows(con, "overview_error_rate", integration=1, bucket_seconds=86400,
                        since=datetime(2026, 11, 19, tzinfo=UTC))
    assert [(r[0].date().isoformat(), r[3], r[4], r[5]) for r in rows] == [
        ("2026-11-19", "order", 1, 0),
        ("2026-11-20", "customer", 1, 0),
        ("2026-11-20", "order", 1, 0),
        ("2026-11-22", "order", 1, 0),
        ("2026-11-25", "article", 1, 1),
        ("2026-11-26", "order", 3, 3),
    ]


def test_error_rate_hourly_across_integrations(con):
    """The hourly view over all integrations puts each failure in its UTC hour."""
    rows = queries.rows(con, "overview_error_rate", integration=None, bucket_seconds=3600,
                        since=datetime(2026, 11, 26, tzinfo=UTC))
    assert [(r[0].hour, r[2], r[3], r[4], r[5]) for r in rows] == [
        (6, "Hem & Trädgård", "customer", 1, 1),
        (8, "Nordic Outdoor", "order", 1, 1),
        (9, "Nordic Outdoor", "order", 1, 1),
        (10, "Nordic Outdoor", "order", 1, 1),
    ]


def test_error_rate_frame_sums_per_integration():
    """The per-type chart sums integrations, and the rate is errors over records in percent."""
    import pandas as pd
    rows = pd.DataFrame({"bucket_start": [NOW, NOW, NOW], "integration_id": [1, 2, 1],
                         "integration": ["A — x → y", "B", "A — x → y"], "type": ["order", "order", "article"],
                         "records": [3, 1, 4], "errors": [1, 1, 0]})
    frame = ov.error_rate_frame(rows, "type", ov.WINDOWS["7d"], UTC)
    assert frame[["type", "records", "errors", "error_rate"]].values.tolist() == [
        ["Articles", 4, 0, 0.0], ["Orders", 4, 2, 50.0]]


def test_integrations_ranked_by_open_errors(con):
    """Integrations are ranked by open errors, each with a link to its errors in the list."""
    rows = queries.records(con, "overview_integrations_ranked")
    assert [(r["name"], r["errors"], r["records"], r["pending"]) for r in rows] == [
        ("Nordic Outdoor", 4, 12, 2), ("Hem & Trädgård", 1, 3, 0), ("Baltic Parts", 0, 0, 0)]
    assert ov.list_link(rows[0]["integration_id"]) == "/?integration=1&status=error"


def test_error_groups_merge_messages_that_differ_in_values(con):
    """Two orders missing different articles form one group with both records, first and last seen."""
    groups = queries.records(con, "error_groups", integration=None)
    assert [(g["integration_id"], g["type"], g["error_group"], g["records"], g["error_code"], g["severity"])
            for g in groups] == [
        (1, "order", "Article '<sku>' not found in Fortnox", 2, "ARTICLE_NOT_FOUND", "high"),
        (1, "article", "Invoice <id> is already booked", 1, "INVOICE_ALREADY_BOOKED", "critical"),
        (1, "order", "Rate limit exceeded: 429 Too Many Requests (retry after <number> s)", 1, "RATE_LIMITED", "low"),
        (2, "customer", "Customer <id> has no email address", 1, "CUSTOMER_EMAIL_MISSING", "medium"),
    ]
    top = groups[0]
    assert (top["first_seen"], top["last_seen"], top["example"]) == (
        datetime(2026, 11, 26, 8, 0, tzinfo=UTC), datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        "Article 'SKU-1234' not found in Fortnox")


def test_error_group_link_opens_the_filtered_list(con):
    """A group's link carries integration, type, status and the group itself, URL-encoded."""
    group = queries.records(con, "error_groups", integration=1)[0]
    assert ov.list_link(1, group["type"], "error", group["error_group"]) == (
        "/?integration=1&type=order&status=error&group=Article+%27%3Csku%3E%27+not+found+in+Fortnox")


def test_group_filter_matches_the_group_records(con):
    """The list filter with a group value from the overview finds exactly that group's records."""
    group = queries.records(con, "error_groups", integration=1)[0]["error_group"]
    ids = queries.rows(con, "bulk_filter_ids", integration=1, type="order", statuses=["error"], q=None,
                       updated_from=None, updated_to=None, error_group=group, cap=100)
    assert [r[0] for r in ids] == [6, 2]


def test_stale_flows_box_links_five_and_counts_the_rest(app_env):
    """With eight stale flows the box links the first five and points to the freshness table for the other three."""
    con = db.connect(app_env)
    con.execute("update flows set enabled = true where integration_id = 3")
    con.execute("insert into flows values (3, 'order', true, null), (3, 'customer', true, null)")
    con.close()
    at = open_app("overview")
    assert not at.exception
    stale_links = [link for link in at.get("page_link") if "sync" in link.proto.label]
    assert len(stale_links) == 5
    assert "**8 stale flows**" in " ".join(m.value for m in at.markdown)
    assert any(c.value.startswith("and 3 more") for c in at.caption)


def test_threshold_form_is_drawn_when_its_expander_opens(app_env):
    """The stale-threshold form appears once 'Set a flow's stale threshold' is opened."""
    at = open_app("overview")
    assert [e.label for e in at.expander] == ["Set a flow's stale threshold"]
    assert "freshness_flow" not in [s.key for s in at.selectbox]
    at.session_state["freshness_threshold"] = True
    at.run()
    assert not at.exception
    assert "freshness_flow" in [s.key for s in at.selectbox]


def test_overview_page_shows_headline_numbers(app_env):
    """Opening /overview shows records, error rate and pending without errors."""
    at = open_app("overview")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Records"], metrics["Error rate"], metrics["Pending"]) == ("15", "33.3 %", "2")


@pytest.mark.parametrize("window", list(ov.WINDOWS))
def test_overview_page_for_one_integration_and_each_window(app_env, window):
    """Picking one integration and any time window renders its figures and charts."""
    at = open_app("overview", scope="1", window=window)
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Records"] == "12"
    assert at.session_state["window"] == window



@pytest.mark.parametrize(("raw", "expected"), [("90", 90), ("1", 1), ("10080", 10080)])
def test_stuck_threshold_from_url(raw, expected):
    """A shared link can set the stuck threshold in whole minutes."""
    assert ov.parse_stuck_minutes([raw]) == expected


@pytest.mark.parametrize("raw", ["0", "-5", "1.5", "abc", "10081"])
def test_stuck_threshold_rejects_bad_values(raw):
    """A threshold that is not 1 minute to a week is refused (the page then falls back to 60 with a notice)."""
    with pytest.raises(ValueError):
        ov.parse_stuck_minutes([raw])


def test_overview_page_takes_stuck_threshold_from_url(app_env):
    """Opening /overview?stuck=1 counts both pending records as stuck."""
    at = open_app("overview", stuck="1")
    assert not at.exception
    assert at.session_state["stuck"] == 1
    assert {m.label: m.value for m in at.metric}["Stuck pending"] == "2"  # both queued before 11:59 on the 26th


def test_overview_figures_are_built_once_per_data_version():
    """A second session opening the overview reuses the figure the first built, until a write changes the data."""
    from entities import db
    from entities.ui import live

    built = []

    def build():
        built.append(1)
        return object()

    first = live.shared("test_chart", ("all", "30d"), build)
    assert live.shared("test_chart", ("all", "30d"), build) is first
    db.bump_version()
    assert live.shared("test_chart", ("all", "30d"), build) is not first
    assert len(built) == 2


def test_a_stale_flow_that_never_synced_says_so(app_env):
    """A flow enabled without any record yet reads 'has never synced successfully', never an empty duration."""
    con = db.connect(app_env)
    con.execute("insert into flows values (3, 'customer', true, null)")
    con.close()
    at = open_app("overview")
    labels = [link.proto.label for link in at.get("page_link") if "sync" in link.proto.label]
    assert any("Customers: has never synced successfully" in label for label in labels), labels
    assert not any("****" in label for label in labels), labels
