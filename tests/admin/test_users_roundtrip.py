"""Against the real sandbox: apply a CSV (rollback file written first, verified after), then upload the rollback
file and the directory is exactly what it was."""

from __future__ import annotations

from datetime import UTC, datetime

from camtui.admin.users_apply import apply_plan, plan_against_server
from camtui.api import CAMClient
from camtui.store import Store


async def test_apply_then_rollback_restores_the_directory_exactly(sandbox, tmp_path):
    store = Store.open(":memory:")
    async with CAMClient(sandbox.url, sandbox.admin_token, timeout=10.0) as client:
        before = (await client.export_users()).users
        a, b = [u for u in before if u.name and u.department and u.position and not u.admin][:2]
        text = (
            "email,name,department,position,admin\r\n"
            f"{a.email},改名された人,新部署,新役職,true\r\n"
            f"{b.email},,別部署,,\r\n"
            "brand.new@" + a.email.split("@")[1] + ",新規ユーザ,,,\r\n"
        )
        steps: list[str] = []
        plan = await plan_against_server(client, text, directory=store.directory, progress=steps.append)
        assert len(store.directory) == len(before)
        assert (plan.count("create"), plan.count("change"), plan.count("same")) == (1, 2, 0)
        assert plan.errors == [] and [v.code for v in plan.warnings] == ["admin_change"]
        when = datetime(2026, 12, 7, 13, 0, 0, tzinfo=UTC)
        result = await apply_plan(
            client,
            plan,
            text.encode("utf-8"),
            tmp_path,
            when,
            directory=store.directory,
            progress=steps.append,
        )
        assert result.rollback == tmp_path / "rollback" / "users-rollback-20261207-130000.csv"
        reading = next(s for s in steps if s.startswith("reading the export ("))
        assert steps == [
            "exporting the directory",
            reading,
            f"storing {len(before):,} users",
            "comparing",
            "writing the rollback file",
            f"rollback file written: {result.rollback}; sending the update",  # the path before the request
            "verifying",
        ]
        assert (result.created, result.updated, result.mismatches) == (1, 2, [])
        changed = {u.email: u for u in (await client.export_users()).users}
        assert changed[a.email].name == "改名された人" and changed[a.email].admin
        assert store.directory.get(a.email).department == "新部署"

        undo = await client.update_users_csv(result.rollback)
        assert (undo.created, undo.updated) == (0, 2)
        after = {u.email: u for u in (await client.export_users()).users}
        assert after.pop("brand.new@" + a.email.split("@")[1]).name == "新規ユーザ"  # no delete in the API
        assert after == {u.email: u for u in before}
    store.close()
