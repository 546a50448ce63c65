"""`onestop bench` (issue 16 §7): every page of the benchmark answers over HTTP and is measured
beside its own queries run as raw SQL — a small volume here keeps it working; the full table at
100,000 engagements is in docs/performance.md."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from onestop.accounts.demo import DEMO_PASSWORD
from onestop.core import bench
from onestop.core.generate import generate

# The test server reads committed rows; serialized_rollback brings back the rows every test
# starts from after the flush (tests/conftest.py), instead of letting the flush re-run them.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def volume(db):
    generate(120, seed=3)


def test_the_benchmark_measures_every_page_over_http_beside_its_raw_sql(volume, live_server):
    pages = bench.measure(live_server.url, "gen.mgmt001", DEMO_PASSWORD, runs=2, log=lambda line: None)
    kinds = {page.kind for page in pages}
    assert {"list", "detail", "search", "export", "api"} <= kinds
    for page in pages:
        assert page.status == 200, page.name
        assert len(page.times) == 2 and all(t > 0 for t in page.times), page.name
        assert page.queries > 0 and len(page.sql_times) == 2, page.name
        assert page.size > 0, page.name
    text = bench.table(pages, database=bench.database_label(), engagements=120, runs=2)
    assert text.count("\n| ") == len(pages) + 1  # the header and one row per page


def test_the_table_replaces_its_own_section_of_the_document_and_keeps_the_rest(tmp_path):
    doc = tmp_path / "performance.md"
    # The prose names the marks; only a mark on a line of its own is one.
    doc.write_text("# Performance\n\nProse (`<!-- bench:start sqlite -->`).\n", encoding="utf-8")
    bench.write_into(doc, "first sqlite table", section="sqlite")
    bench.write_into(doc, "postgresql table", section="postgresql")
    bench.write_into(doc, "second sqlite table", section="sqlite")
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nProse (`<!-- bench:start sqlite -->`).\n")
    assert "first sqlite table" not in text
    assert text.count("second sqlite table") == 1 and text.count("postgresql table") == 1


def test_a_wrong_password_stops_the_benchmark_with_a_clear_message(volume, live_server):
    with pytest.raises(CommandError, match=r"Could not log in as gen\.mgmt001"):
        call_command("bench", url=live_server.url, password="wrong", runs=1)


def test_the_benchmark_refuses_an_empty_database(db):
    with pytest.raises(CommandError, match="no engagements"):
        call_command("bench", url="http://127.0.0.1:9", runs=1)
