"""X-1: human codes, gap-free per prefix and year, unique under concurrency."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from onestop.core.models import NumberSequence
from onestop.core.numbering import next_code, next_number
from tests.workflow import run_concurrently


def test_X_1_codes_count_up_per_prefix_and_year(db):
    year = timezone.localdate().year
    assert next_code("OS") == f"OS-{year}-00001"
    assert next_code("OS") == f"OS-{year}-00002"
    assert next_code("PL") == f"PL-{year}-00001"
    assert next_code("OS", year=2030) == "OS-2030-00001"
    assert next_code("OS", year=2030, width=3) == "OS-2030-002"
    assert NumberSequence.objects.get(prefix="OS", year=year).value == 2


def test_X_1_a_rolled_back_transaction_leaves_no_gap(db):
    next_code("OS", year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("OS", year=2026) == 2
        raise RuntimeError("the record carrying the code could not be saved")
    assert next_number("OS", year=2026) == 2


def test_X_1_sequences_have_no_pages_for_users(client, personas):
    assert list(NumberSequence.objects.visible_to(personas["cs"])) == []
    assert not personas["cs"].has_perm("core.change_numbersequence")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_X_1_concurrent_callers_get_distinct_consecutive_numbers():
    """Eight threads, each taking three numbers in its own transaction, on a new sequence."""

    def taker():
        def take():
            numbers = []
            for _ in range(3):
                with transaction.atomic():
                    numbers.append(next_number("CC", year=2031))
            return numbers

        return take

    results, errors = run_concurrently(*[taker() for _ in range(8)])
    assert errors == [None] * 8, errors
    issued = sorted(n for numbers in results for n in numbers)
    assert issued == list(range(1, 25))
    assert NumberSequence.objects.get(prefix="CC", year=2031).value == 24
