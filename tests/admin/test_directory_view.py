"""The directory table's decisions: cells, sort, age of the export, the composer's filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from camtui.admin.directory_view import age_text, cell, filter_users, header_text, next_sort_key, sort_users
from camtui.api.models import User
from camtui.compose.matcher import RecipientMatcher

USERS = [
    User("u1", "taro@example.com", "山田太郎", "Yamada Taro", "営業", "部長", False),
    User("u2", "hana@example.com", "佐藤花子", "Sato Hanako", "開発", "", True),
    User("u3", "ken@example.com", "鈴木健", "Suzuki Ken", "営業", "", False),
]
TOKYO = ZoneInfo("Asia/Tokyo")


def test_cells_count_wide_characters_twice():
    assert cell("山田太郎", 6) == "山田… "
    assert cell("ab", 4) == "ab  "


def test_sort_by_any_column_and_cycle():
    assert [u.uid for u in sort_users(USERS, "romaji")] == ["u2", "u3", "u1"]
    assert [u.uid for u in sort_users(USERS, "admin")] == ["u2", "u3", "u1"]
    assert [u.uid for u in sort_users(USERS, "email", reverse=True)] == ["u1", "u3", "u2"]
    assert next_sort_key("email") == "name" and next_sort_key("uid") == "email"
    assert "E-mail ▲" in header_text("email", False)


def test_age_of_the_cached_export():
    fetched = datetime(2026, 12, 7, 5, 2, tzinfo=UTC)
    assert age_text(fetched, fetched + timedelta(minutes=3), TOKYO) == "exported 14:02, 3 min ago"
    assert age_text(fetched, fetched + timedelta(seconds=5), TOKYO) == "exported 14:02, just now"
    assert age_text(None, fetched, TOKYO) == "never exported"


def test_filter_is_the_composers_matcher():
    matcher = RecipientMatcher(USERS)
    assert sorted(u.uid for u in filter_users(USERS, "営業", matcher)) == ["u1", "u3"]
    assert [u.uid for u in filter_users(USERS, "sato", matcher)] == ["u2"]
    assert [u.uid for u in filter_users(USERS, "やまだ", matcher)] == ["u1"]
    assert len(filter_users(USERS, " ", matcher)) == 3
