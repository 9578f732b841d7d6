"""`camtui users diff` and `camtui users update` over real HTTP against the sandbox (issue 13)."""

from __future__ import annotations

import json

from camtui.api.wire import parse_users_csv


def directory(camtui, tmp_path):
    target = tmp_path / "export.csv"
    assert camtui("users", "export", str(target)).code == 0
    return parse_users_csv(target.read_text(encoding="utf-8-sig"))


def pick(users):
    return [u for u in users if u.name and u.department and u.position and not u.admin][:2]


def test_diff_without_problems_exit_0_and_sends_nothing(camtui, sandbox, tmp_path):
    a, b = pick(directory(camtui, tmp_path))
    path = tmp_path / "in.csv"
    path.write_text(f"email,department\n{a.email},新しい部\n{b.email},{b.department}\n", encoding="utf-8")
    r = camtui("users", "diff", str(path))
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "0 to create, 1 to change, 1 identical; 0 errors, 0 warnings"
    assert lines[1] == f"~ line 2: {a.email}: department: {a.department!r} → '新しい部'"
    assert len(lines) == 2
    assert sandbox.stats()["byMethod"].get("updateUsersCSV", 0) == 0


def test_diff_with_problems_exit_2_and_json(camtui, sandbox, tmp_path):
    a, b = pick(directory(camtui, tmp_path))
    path = tmp_path / "in.csv"
    path.write_text(
        f"email,name,admin\n{a.email},,true\nbroken,X,\n{b.email},,\n{b.email.upper()},,\n", encoding="utf-8"
    )
    r = camtui("users", "diff", str(path), "--json")
    assert r.code == 2
    data = json.loads(r.out)
    assert (data["create"], data["change"], data["identical"], data["invalid"]) == (0, 1, 1, 2)
    assert [(v["line"], v["column"], v["code"]) for v in data["verdicts"]] == [
        (2, "admin", "admin_change"),
        (3, "email", "bad_email"),
        (5, "email", "duplicate_email"),
    ]
    assert data["rows"][0]["changes"] == [{"field": "admin", "old": "false", "new": "true"}]
    human = camtui("users", "diff", str(path), "--me", a.email)
    assert human.code == 2
    assert "! error line 2, admin: changes your own admin rights (false → true)" in human.out.splitlines()


def test_diff_reads_shift_jis_and_says_so(camtui, tmp_path):
    a, _ = pick(directory(camtui, tmp_path))
    path = tmp_path / "sjis.csv"
    path.write_bytes(f"email,department\r\n{a.email},営業企画部\r\n".encode("cp932"))
    r = camtui("users", "diff", str(path))
    assert r.code == 0
    assert r.err.splitlines()[0].startswith(f"camtui: {path}: read as Shift_JIS (cp932)")
    assert f"camtui:   {a.email},営業企画部" in r.err.splitlines()
    assert f"department: {a.department!r} → '営業企画部'" in r.out


def test_update_asks_off_a_terminal_refuses_without_yes(camtui, sandbox, tmp_path):
    a, _ = pick(directory(camtui, tmp_path))
    path = tmp_path / "in.csv"
    path.write_text(f"email,position\n{a.email},係長\n", encoding="utf-8")
    r = camtui("users", "update", str(path), "--rollback-dir", str(tmp_path))
    assert r.code == 2 and "give --yes" in r.err
    assert sandbox.stats()["byMethod"].get("updateUsersCSV", 0) == 0
    assert not (tmp_path / "rollback").exists()


def test_update_writes_rollback_verifies_and_the_rollback_restores(camtui, sandbox, tmp_path):
    before = directory(camtui, tmp_path)
    a, b = pick(before)
    path = tmp_path / "in.csv"
    path.write_bytes(
        f"email,name,romaji,position\r\n{a.email},別名,Betsumei,参与\r\n{b.email},,,主任\r\n".encode("cp932")
    )
    data_dir = tmp_path / "data"
    refused = camtui("users", "update", str(path), "--yes", "--rollback-dir", str(data_dir))
    assert refused.code == 2 and "looks like Shift_JIS" in refused.err  # never sent as mojibake
    r = camtui("users", "update", str(path), "--yes", "--convert", "--rollback-dir", str(data_dir), "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert (data["created"], data["updated"], data["verified"]) == (0, 2, True)
    rollback = data["rollback"]
    assert rollback.startswith(str(data_dir / "rollback" / "users-rollback-"))
    # said before the request left (an update whose answer is lost can still be undone)
    assert f"{path}: rollback file written: {rollback}; sending the update" in r.err
    mid = {u.email: u for u in directory(camtui, tmp_path)}
    assert (mid[a.email].name, mid[a.email].romaji, mid[b.email].position) == ("別名", "Betsumei", "主任")
    undo = camtui("users", "update", rollback, "--yes", "--rollback-dir", str(data_dir))
    assert undo.code == 0, undo.err
    assert "verified: the directory matches the plan" in undo.out
    assert "rollback file: " in undo.out  # the undo has its own way back
    assert directory(camtui, tmp_path) == before


def test_own_admin_rights_use_admin_me_from_the_config_and_say_when_unchecked(camtui, tmp_path):
    import os
    from pathlib import Path

    a, b = pick(directory(camtui, tmp_path))
    path = tmp_path / "in.csv"
    path.write_text(f"email,admin\n{a.email},true\n{b.email},\n", encoding="utf-8")
    unknown = camtui("users", "diff", str(path))  # the API cannot say whose token it is: no silent pass
    assert unknown.code == 2
    assert unknown.out.splitlines()[-1] == (
        "! NOT CHECKED: whether the admin flag change on line 2 is your own account — camtui does not know "
        "whose token this is (set [admin] me in the config, or --me)"
    )
    assert json.loads(camtui("users", "diff", str(path), "--json").out)["ownAdminChecked"] is False
    config = Path(os.environ["CAMTUI_CONFIG"])
    config.write_text(f'[admin]\nme = "{a.email.upper()}"\n', encoding="utf-8")
    mine = camtui("users", "diff", str(path), "--json")
    data = json.loads(mine.out)
    assert data["ownAdminChecked"] is True
    assert [(v["line"], v["code"], v["severity"]) for v in data["verdicts"]] == [(2, "own_admin", "error")]
    refused = camtui("users", "update", str(path), "--yes", "--rollback-dir", str(tmp_path))
    assert refused.code == 2 and "changes your own admin rights" in refused.err
    config.write_text('[admin]\nme = "nobody@example.invalid"\n', encoding="utf-8")
    stranger = camtui("users", "diff", str(path))
    assert "nobody@example.invalid ([admin] me) is not in the directory" in stranger.out
    assert not (tmp_path / "rollback").exists()


def test_update_whose_answer_is_lost_names_the_rollback_file_and_is_not_resent(camtui, sandbox, tmp_path):
    a, _ = pick(directory(camtui, tmp_path))
    path = tmp_path / "in.csv"
    path.write_text(f"email,position\n{a.email},参与\n", encoding="utf-8")
    sandbox.set_faults({"reset_after": 1.0, "methods": ["updateUsersCSV"], "times": 1})
    r = camtui("users", "update", str(path), "--yes", "--rollback-dir", str(tmp_path))
    assert r.code != 0
    (rollback,) = (tmp_path / "rollback").glob("users-rollback-*.csv")
    assert f"{path}: outcome unknown (" in r.err and f"rollback file: {rollback}" in r.err
    assert sandbox.stats()["byMethod"]["updateUsersCSV"] == 1
    assert {u.email: u for u in directory(camtui, tmp_path)}[a.email].position == "参与"
