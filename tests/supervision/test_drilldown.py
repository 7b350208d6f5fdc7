"""Each filter and each drill-down: the number on the dashboard = the row count of the CSV
= the number of cases the case list shows when the number's link is followed (for a reader
who sees every case), on SQLite and PostgreSQL."""

import pytest

from tests.supervision.conftest import case_links, client_for, csv_rows, figure, listed

PERIOD = "from=2026-09-01&to=2026-11-20"


def _summary_csv(client, query) -> dict[str, str]:
    response = client.get(f"/supervision/export/summary.csv?{query}")
    assert response.status_code == 200
    return {row[0]: row[1] for row in csv_rows(response.content)[1:]}


@pytest.mark.parametrize(
    ("extra", "total"),
    [
        ("", 5),
        # Retail Banking takes in its branch: the two September cases and the October one.
        ("department={dept}", 3),
        ("department={branch}", 1),
        ("department={other}", 2),
        # The category takes in its sub-category.
        ("category={category}", 5),
        ("category={sub}", 1),
        ("severity=general", 2),
        ("source=customer_complaint", 1),
        ("source=staff_report", 4),
        ("from=2026-10-01&to=2026-10-31", 2),
        ("from=2026-11-01&to=2026-11-20&department={other}", 1),
    ],
)
def test_each_filter_the_page_the_csv_and_the_list_agree(spread, world, today, extra, total):
    ids = {
        "dept": world.dept.pk,
        "branch": spread["branch"].pk,
        "other": world.other_dept.pk,
        "category": world.category.pk,
        "sub": spread["sub"].pk,
    }
    query = "&".join(q for q in (PERIOD, extra.format(**ids)) if q)
    manager = client_for(world.manager)
    response = manager.get(f"/supervision/?{query}")
    assert response.status_code == 200
    body = response.content.decode()
    href, shown = figure(body, "total")
    assert shown == total
    summary = _summary_csv(manager, query)
    assert int(summary["Cases"]) == total
    assert listed(manager, href) == total
    # The drill-down list as CSV: one row per case.
    assert len(csv_rows(manager.get(href + "&format=csv"))) - 1 == total
    for name in ("open", "closed", "overdue"):
        href, shown = figure(body, name)
        assert listed(manager, href) == shown, name
        assert (
            int(summary[{"open": "Open", "closed": "Closed", "overdue": "Overdue now"}[name]])
            == shown
        )


def test_every_number_linking_to_the_case_list_counts_its_cases(spread, world, today):
    manager = client_for(world.manager)
    body = manager.get(f"/supervision/?{PERIOD}").content.decode()
    links = case_links(body)
    # Headline (4), trend (3 per month, 3 months), bars of stage, category, department,
    # severity and source, the repeat offender.
    assert len(links) >= 4 + 9 + 5
    for href, shown in links:
        assert listed(manager, href) == shown, href


def test_the_trend_and_bars_match_their_csv(spread, world, today):
    manager = client_for(world.manager)
    rows = csv_rows(manager.get(f"/supervision/export/trend.csv?{PERIOD}").content)
    assert rows[0][:4] == ["Month", "Opened", "Closed", "Open at month end"]
    assert [r[:4] for r in rows[1:]] == [
        ["2026-09", "2", "2", "0"],
        ["2026-10", "2", "0", "2"],
        ["2026-11", "1", "1", "2"],  # the dismissed case closes on dismissal
    ]
    departments = csv_rows(manager.get(f"/supervision/export/by_department.csv?{PERIOD}").content)
    assert dict((r[0], int(r[1])) for r in departments[1:]) == {
        "Retail Banking": 3,
        "Operations": 2,
        "Tsim Sha Tsui Branch": 1,
    }


def test_repeat_offenders_count_distinct_cases_in_the_window(spread, world, today, settings):
    manager = client_for(world.manager)
    manager.get(f"/supervision/?{PERIOD}").content.decode()
    rows = csv_rows(manager.get(f"/supervision/export/repeat_offenders.csv?{PERIOD}").content)
    assert [r[0] for r in rows[1:]] == [world.subject.staff_number]
    assert rows[1][-1] == "2"
    # A look-back window of 60 days from 20 November leaves out the September cases.
    settings.ACCOUNTABILITY = {**settings.ACCOUNTABILITY, "SUPERVISION": {"RECURRENCE_DAYS": 60}}
    rows = csv_rows(manager.get(f"/supervision/export/repeat_offenders.csv?{PERIOD}").content)
    assert rows[1:] == []


def test_the_record_link_is_shown_only_to_those_who_read_records(spread, world, today):
    record = f"/employees/{world.subject.staff_number}/"
    for user, shown in [(world.manager, True), (world.auditor, True), (world.senior, False)]:
        body = client_for(user).get(f"/supervision/?{PERIOD}").content.decode()
        assert (record in body) is shown, user.username


def test_the_backlog_counts_the_cases_open_before_the_period(spread, world, today):
    # From November: the two October cases are open when the period starts; the November
    # one opens and closes in it. Open at the end of November: the two October cases.
    manager = client_for(world.manager)
    query = "from=2026-11-01&to=2026-11-20"
    rows = csv_rows(manager.get(f"/supervision/export/trend.csv?{query}").content)
    assert [r[:4] for r in rows[1:]] == [["2026-11", "1", "1", "2"]]
    body = manager.get(f"/supervision/?{query}").content.decode()
    for href, shown in case_links(body):
        assert listed(manager, href) == shown, href
