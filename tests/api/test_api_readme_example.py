"""The README's "Use it from Python" example, run as written against the sandbox (keep the two in step)."""

from __future__ import annotations

# --- README example starts -------------------------------------------------------------------------------
import asyncio
from datetime import UTC, datetime, timedelta

from camtui.api import CAMAPIError, CAMClient, OutcomeUnknown, TransportError


async def notify(server_url: str, api_token: str) -> None:
    async with CAMClient(server_url, api_token) as cam:
        sent = await cam.send_message(
            "messenger", "Backup finished", users=["user1@xxx.com", "user2@xxx.com"]
        )
        print("sent", sent.message_id, "to", ", ".join(sent.recipients))

        call = await cam.create_quick_call(datetime.now(UTC) + timedelta(hours=1), title="障害対応")
        print("join:", call.auto_login_url("山田 太郎"))
        stats = await cam.get_call_stats(call.sid)
        print(stats.participants, "in the call; in progress:", stats.in_progress)

        today = await cam.get_conference_room_status(datetime.now(UTC).date())
        for room in today.rooms[:3]:
            print(room.name, [(r.start.isoformat(), r.title) for r in room.reservations[:2]])

        try:
            await cam.send_message("no-such-room", "hello")
        except CAMAPIError as exc:  # the server answered with an error
            print(exc.code, exc.meaning, "/", exc.message)
        except OutcomeUnknown:  # the message may have gone out: check before sending it again
            raise
        except TransportError:  # the server could not be reached (after retrying)
            raise


# asyncio.run(notify(os.environ["CAMTUI_SERVER_URL"], os.environ["CAMTUI_API_TOKEN"]))
# --- README example ends ---------------------------------------------------------------------------------


def test_readme_python_example(sandbox, capsys):
    asyncio.run(notify(sandbox.url, sandbox.admin_token))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sent m") and out[0].endswith("to user1@xxx.com, user2@xxx.com")
    assert out[1].startswith(f"join: {sandbox.url}/share/") and "userName=" in out[1]
    assert out[2] == "0 in the call; in progress: False"
    assert out[-1].startswith("405 Group (chat room) does not exist / グループが存在しません。")
    assert len(sandbox.delivered_messages()) == 1
