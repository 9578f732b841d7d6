"""The users CSV diff: create / change field by field / identical, and one verdict per problem kind."""

from __future__ import annotations

from camtui.admin.rollback import rollback_text, verify_after
from camtui.admin.users_plan import plan_users_update
from camtui.api.models import User

DIRECTORY = [
    User("u1", "taro@example.com", "山田太郎", "Yamada Taro", "営業", "部長", False),
    User("u2", "hana@example.com", "佐藤花子", "Sato Hanako", "開発", "", False),
    User("u3", "boss@example.com", "鈴木", "Suzuki", "役員", "社長", True),
]
HEADER = "uid,email,name,romaji,department,position,admin\r\n"


def plan(body: str, header: str = HEADER, me: str | None = "boss@example.com"):
    return plan_users_update(header + body, DIRECTORY, me)


def test_create_change_identical_with_field_changes():
    p = plan(
        ",new@example.com,新人,Shinjin,営業,,false\r\n"
        "u1,TARO@example.com,山田太郎,Yamada Taro,企画,課長,false\r\n"
        ",hana@example.com,,,,,\r\n"
    )
    assert [(r.line, r.kind) for r in p.rows] == [(2, "create"), (3, "change"), (4, "same")]
    change = p.rows[1]
    assert [(c.field, c.old, c.new) for c in change.changes] == [
        ("department", "営業", "企画"),
        ("position", "部長", "課長"),
    ]
    assert p.rows[0].new == User("", "new@example.com", "新人", "Shinjin", "営業", "", False)
    assert p.errors == [] and p.warnings == [] and p.sendable
    assert p.summary() == "1 to create, 1 to change, 1 identical; 0 errors, 0 warnings"


def test_every_verdict_kind_with_line_and_column():
    p = plan(
        ",not-an-address,X,,,,\r\n"  # 2 bad e-mail
        ",taro@example.com,,,,,\r\n"  # 3 first taro: identical
        ",Taro@example.com,,,,,\r\n"  # 4 duplicate
        ",,Nobody,,,,\r\n"  # 5 empty e-mail
        ",fresh@example.com,,,,,\r\n"  # 6 new user without a name
        ",hana@example.com,,,,,true\r\n"  # 7 admin flag change
        ",boss@example.com,,,,,false\r\n"  # 8 own admin rights
        ",hana2@example.com,A,,,,maybe\r\n"  # 9 bad admin value
        "zz,hana@example.com\r\n"  # 10 cell count
        ",hana@example.com,,,,経理,\r\n"  # 11 duplicate of 7, too
    )
    found = {(v.line, v.column, v.code, v.severity) for v in p.verdicts}
    assert {
        (2, "email", "bad_email", "error"),
        (4, "email", "duplicate_email", "error"),
        (5, "email", "empty_required", "error"),
        (6, "name", "empty_required", "error"),
        (7, "admin", "admin_change", "warning"),
        (8, "admin", "own_admin", "error"),
        (9, "admin", "bad_value", "error"),
        (10, "", "cell_count", "error"),
        (11, "email", "duplicate_email", "error"),
    } == found
    assert not p.sendable
    assert p.verdicts_for(4)[0].text() == "line 4, email: Taro@example.com is also on line 3"


def test_unknown_column_uid_mismatch_and_not_reversible():
    p = plan("u1,taro@example.com,X\r\n", header="uid,email,nickname\r\n")
    assert [(v.line, v.column, v.code) for v in p.verdicts] == [(1, "nickname", "unknown_column")]
    p = plan("u9,taro@example.com,,,,,\r\n,hana@example.com,,,,主任,\r\n")
    assert [(v.line, v.column, v.code, v.severity) for v in p.verdicts] == [
        (2, "uid", "uid_mismatch", "error"),
        (3, "position", "not_reversible", "warning"),
    ]


def test_neutralised_cell_from_a_spreadsheet_export_is_a_warning():
    p = plan(",taro@example.com,'=1+1,,,,\r\n")
    assert [(v.column, v.code) for v in p.verdicts] == [("name", "neutralised_cell")]
    assert p.rows[0].kind == "change"


def test_empty_or_broken_files():
    assert [v.code for v in plan_users_update("", DIRECTORY).verdicts] == ["no_rows"]
    assert [v.code for v in plan_users_update(HEADER, DIRECTORY).verdicts] == ["no_rows"]
    assert [v.code for v in plan_users_update("name\r\nx\r\n", DIRECTORY).verdicts] == ["empty_required"]


def test_rollback_holds_the_old_values_of_changed_rows_only():
    p = plan(",new@example.com,新人,,,,\r\n,taro@example.com,,,企画,,\r\n,hana@example.com,,,,,\r\n")
    assert rollback_text(p) == (
        "\ufeffuid,email,name,romaji,department,position,admin\r\n"
        "u1,taro@example.com,山田太郎,Yamada Taro,営業,部長,false\r\n"
    )
    assert rollback_text(plan(",hana@example.com,,,,,\r\n")) is None


def test_verify_after_reports_rows_that_differ_from_the_plan():
    p = plan(",new@example.com,新人,,,,\r\n,taro@example.com,,,企画,,\r\n")
    good = [
        User("u1", "taro@example.com", "山田太郎", "Yamada Taro", "企画", "部長", False),
        User("gen", "new@example.com", "新人", "", "", "", False),
    ]
    assert verify_after(p, good) == []
    bad = [User("u1", "taro@example.com", "山田太郎", "Yamada Taro", "営業", "部長", False)]
    texts = [m.text() for m in verify_after(p, bad)]
    assert texts == [
        "line 2: new@example.com is not in the directory after the update",
        "line 3: taro@example.com department is '営業', the plan said '企画'",
    ]


def test_diff_items_only_changes_and_problem_navigation():
    from camtui.admin.diff_view import counts_text, diff_items, next_problem

    p = plan(
        ",taro@example.com,,,企画,,\r\n,hana@example.com,,,,,\r\n,broken,X,,,,\r\n,ken@example.com,K,,,,\r\n"
    )
    items = diff_items(p)
    assert [i.kind for i in items] == ["change", "same", "invalid", "error", "create"]
    assert items[0].text.endswith("taro@example.com  department: 営業 → 企画")
    assert [i.kind for i in diff_items(p, only_changes=True)] == ["change", "invalid", "error", "create"]
    assert next_problem(items, 0) == 3 and next_problem(items, 3) == 3 and next_problem(items, 4, -1) == 3
    assert next_problem(diff_items(plan(",hana@example.com,,,,,\r\n")), 0) is None
    assert counts_text(p) == "create 1 · change 1 · identical 1 · invalid 1 · 1 errors · 0 warnings"


def test_a_changes_old_and_new_values_are_marked_for_highlighting():
    from camtui.admin.diff_view import diff_items

    p = plan(",taro@example.com,太郎2,,企画,,\r\n")
    item = diff_items(p)[0]
    assert [(item.text[a:b], mark) for a, b, mark in item.marks] == [
        ("山田太郎", "old"),
        ("太郎2", "new"),
        ("営業", "old"),
        ("企画", "new"),
    ]


def test_own_admin_check_is_said_when_it_could_not_be_made():
    from camtui.admin.users_plan import plan_users_update

    users = [User("u1", "taro@example.com", "山田 太郎", "", "営業", "", False)]
    text = "email,admin\r\ntaro@example.com,true\r\n"
    assert "camtui does not know whose token" in plan_users_update(text, users).own_admin_unchecked()
    stranger = plan_users_update(text, users, "who@example.com").own_admin_unchecked()
    assert "who@example.com ([admin] me) is not in the directory" in stranger
    assert plan_users_update(text, users, "TARO@example.com").own_admin_unchecked() is None
    assert [v.code for v in plan_users_update(text, users, "taro@example.com").verdicts] == ["own_admin"]
    assert plan_users_update("email,name\r\ntaro@example.com,X\r\n", users).own_admin_unchecked() is None
