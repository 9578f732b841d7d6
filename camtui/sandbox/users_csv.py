"""exportUsers and updateUsersCSV: the users CSV (columns in `shapes.USER_CSV_COLUMNS`), UTF-8 with BOM.

Import is all-or-nothing: every line is checked first and every error names its line (header = line 1);
only a clean file is written, in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import sqlite3
from urllib.parse import quote

from starlette.responses import Response

from camtui.sandbox.db import transaction
from camtui.sandbox.demo import UID_ALPHABET
from camtui.sandbox.errors import ApiError, ApiErrors, bad_request
from camtui.sandbox.shapes import USER_CSV_COLUMNS, user_row_to_csv

EMAIL_RE = re.compile(r"^[^@\s,;\"<>]+@[^@\s,;\"<>]+\.[^@\s,;\"<>]+$")
UID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CELL = 200
MAX_ERRORS = 50
TRUE = {"true", "1", "yes", "y", "on", "管理者"}
FALSE = {"false", "0", "no", "n", "off", ""}


def safe_filename(path: str) -> str:
    """The last path component, without quotes or control characters (it goes into a header)."""
    name = re.split(r"[\\/]", path.strip())[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"')
    return name.strip() or "exportUsers.csv"


def export_csv(conn: sqlite3.Connection, path: str) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(USER_CSV_COLUMNS)
    writer.writerows(
        user_row_to_csv(row)
        for row in conn.execute(
            "SELECT uid, email, name, romaji, department, position, admin FROM users ORDER BY seq"
        )
    )
    filename = safe_filename(path)
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        ("\ufeff" + buf.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


def _line_error(line: int, detail: str, **extra: object) -> ApiError:
    return bad_request(f"{line} 行目: {detail}", line=line, **extra)


def decode_csv(data: bytes) -> str:
    if not data.strip():
        raise bad_request("CSV が空です", field="file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _line_error(
            line, "CSV が UTF-8 ではありません (Shift_JIS などは UTF-8 で保存し直してください)", field="file"
        ) from None
    return text.removeprefix("\ufeff")


def _header(row: list[str]) -> list[str]:
    columns = [cell.strip().lstrip("\ufeff").lower() for cell in row]
    known = {c.lower(): c for c in USER_CSV_COLUMNS}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise _line_error(1, f"不明な列 {', '.join(unknown)} (列: {','.join(USER_CSV_COLUMNS)})")
    if len(set(columns)) != len(columns):
        raise _line_error(1, "列名が重複しています")
    if "email" not in columns:
        raise _line_error(1, "email 列がありません")
    return [known[c] for c in columns]


def _parse_admin(value: str) -> bool | None:
    low = value.strip().lower()
    if low == "":
        return None
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise ValueError(value)


def import_csv(conn: sqlite3.Connection, data: bytes) -> tuple[int, int]:
    """Create or update users keyed by e-mail; returns (created, updated). Empty cells keep current values."""
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[ApiError] = []
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise _line_error(1, f"CSV の形式が正しくありません: {exc}") from None
    if first is None:
        raise bad_request("CSV が空です", field="file")
    header = _header(first)
    seen_emails: set[str] = set()
    new_uids: set[str] = set()
    planned: list[tuple[str, dict[str, object], bool]] = []  # (email, values, is_new)
    line_end = reader.line_num
    while True:
        line = line_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(_line_error(line, f"CSV の形式が正しくありません: {exc}"))
            break
        line_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        try:
            planned.append(_check_row(conn, header, row, line, seen_emails, new_uids))
        except ApiError as exc:
            errors.append(exc)
            if len(errors) >= MAX_ERRORS:
                break
    if errors:
        raise ApiErrors(errors)
    if not planned:
        raise bad_request("CSV にユーザの行がありません", field="file")
    created = updated = 0
    with transaction(conn):
        next_seq = (conn.execute("SELECT COALESCE(MAX(seq), -1) FROM users").fetchone()[0]) + 1
        for email, values, is_new in planned:
            if is_new:
                uid = str(values.get("uid") or _new_uid(conn, new_uids))
                conn.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        uid,
                        email,
                        values.get("name", ""),
                        values.get("romaji", ""),
                        values.get("department", ""),
                        values.get("position", ""),
                        int(bool(values.get("admin", False))),
                        email.rpartition("@")[2],
                        next_seq,
                    ),
                )
                next_seq += 1
                created += 1
            else:
                changes = {k: v for k, v in values.items() if k not in ("uid", "email")}
                if changes:
                    assignments = ", ".join(f"{k} = ?" for k in changes)
                    params = [int(v) if isinstance(v, bool) else v for v in changes.values()]
                    conn.execute(f"UPDATE users SET {assignments} WHERE email = ?", (*params, email))
                updated += 1
    return created, updated


def _check_row(
    conn: sqlite3.Connection,
    header: list[str],
    row: list[str],
    line: int,
    seen_emails: set[str],
    new_uids: set[str],
) -> tuple[str, dict[str, object], bool]:
    if len(row) != len(header):
        raise _line_error(line, f"列の数が {len(row)} です (ヘッダは {len(header)} 列)")
    cells = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
    email = cells.get("email", "").lower()
    if not email:
        raise _line_error(line, "email がありません", field="email")
    if not EMAIL_RE.match(email) or len(email) > MAX_CELL:
        raise _line_error(line, f"email の形式が正しくありません: {email[:80]}", field="email")
    if email in seen_emails:
        raise _line_error(line, f"email が重複しています: {email}", field="email")
    seen_emails.add(email)
    for name, value in cells.items():
        if len(value) > MAX_CELL:
            raise _line_error(line, f"{name} が長すぎます (最大 {MAX_CELL} 文字)", field=name)
    values: dict[str, object] = {}
    for name in ("name", "romaji", "department", "position"):
        if cells.get(name):
            values[name] = cells[name]
    if "admin" in cells:
        try:
            admin = _parse_admin(cells["admin"])
        except ValueError:
            raise _line_error(
                line, f"admin は true か false です: {cells['admin'][:20]}", field="admin"
            ) from None
        if admin is not None:
            values["admin"] = admin
    existing = conn.execute("SELECT uid FROM users WHERE email = ?", (email,)).fetchone()
    uid = cells.get("uid", "")
    if uid:
        if not UID_RE.match(uid):
            raise _line_error(line, f"uid の形式が正しくありません: {uid[:40]}", field="uid")
        if existing is not None and existing[0] != uid:
            raise _line_error(
                line, f"uid {uid} はこのメールアドレスのユーザの uid ではありません", field="uid"
            )
        if existing is None:
            taken = conn.execute("SELECT 1 FROM users WHERE uid = ?", (uid,)).fetchone() is not None
            if taken or uid in new_uids:
                raise _line_error(line, f"uid {uid} は別のユーザが使っています", field="uid")
            new_uids.add(uid)
            values["uid"] = uid
    if existing is None and not values.get("name"):
        raise _line_error(line, "新しいユーザには name が必要です", field="name")
    return email, values, existing is None


def _new_uid(conn: sqlite3.Connection, taken: set[str]) -> str:
    while True:
        uid = "".join(secrets.choice(UID_ALPHABET) for _ in range(20))
        if uid not in taken and conn.execute("SELECT 1 FROM users WHERE uid = ?", (uid,)).fetchone() is None:
            taken.add(uid)
            return uid
