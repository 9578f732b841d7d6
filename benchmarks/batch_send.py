"""10,000 messages: the batch engine (validated, journalled, chunked sendMessages) vs a loop of the spec's own
`curl … sendMessage` command, against the same sandbox (its own process) in the same run.

The batch engine's time includes everything it does for safety: exportUsers + validating every recipient, the
journal written before and after every chunk (fsync'd), the sent log. The curl loop is the spec's sample command
(one process and one connection per message), run sequentially as a shell `for` loop would. By default it runs
all 10,000; `--curl-count N` runs N and extrapolates linearly (stated in the output).

    .venv/bin/python benchmarks/batch_send.py [--messages 10000] [--chunk-size 200] [--curl-count 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from camtui.api import CAMClient
from camtui.compose.batch import apply_batch, load_batch_file, plan_batch
from camtui.compose.matcher import RecipientMatcher
from camtui.sandbox.runner import start_sandbox_process
from camtui.store import Store

RECIPIENTS = ["user1@test.com", "user2@test.com", "user1@xxx.com", "user2@xxx.com"]


def write_batch(path: Path, n: int, tag: str) -> None:
    items = []
    for i in range(n):
        if i % 4 == 3:
            items.append({"send": "test", "message": f"{tag} {i} テスト通知"})
        else:
            users = f"{RECIPIENTS[i % 4]},{RECIPIENTS[(i + 1) % 4]}"
            items.append({"message": f"{tag} {i} こんにちは", "property": {"users": users}})
    body = ",\n".join(" " + json.dumps(item, ensure_ascii=False) for item in items)
    path.write_text("messages=[\n" + body + ",\n]\n", encoding="utf-8")  # the spec's shape, trailing comma


async def run_engine(url: str, token: str, path: Path, store: Store, chunk: int) -> dict[str, float]:
    async with CAMClient(url, token) as client:
        t0 = time.perf_counter()
        bf = load_batch_file(path)
        export = await client.export_users()
        plan = plan_batch(
            bf, users=RecipientMatcher(export.users), journal=store.batch_journal, chunk_size=chunk
        )
        t1 = time.perf_counter()
        assert plan.ok, plan.lines()
        summary = await apply_batch(client, store, plan)
        t2 = time.perf_counter()
        assert summary.sent == len(bf.items) and summary.ok, summary.lines()
        rerun = plan_batch(load_batch_file(path), journal=store.batch_journal, chunk_size=chunk)
        assert rerun.to_send == (), "a re-run would send again"
    return {"plan": t1 - t0, "apply": t2 - t1, "chunks": len(plan.chunks)}


def run_curl(url: str, token: str, n: int, tag: str, workdir: Path) -> float:
    header = workdir / "token.header"  # -H @file: keeps the token out of `ps` and of this script's output
    header.write_text(f"x-cam-apiToken:{token}\n", encoding="utf-8")
    os.chmod(header, 0o600)
    t0 = time.perf_counter()
    for i in range(n):
        users = f"{RECIPIENTS[i % 4]},{RECIPIENTS[(i + 1) % 4]}"
        payload = json.dumps(
            {
                "panelName": "messenger",
                "message": f"{tag} {i} こんにちは",
                "isOpened": False,
                "generalPurposes": {"users": users},
            },
            ensure_ascii=False,
        )
        done = subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-H",
                f"@{header}",
                "-d",
                f"message={payload}",
                f"{url}/sendMessage",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.stdout != "200":
            raise SystemExit(f"curl failed on message {i}: HTTP {done.stdout!r} {done.stderr.strip()}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--chunk-size", type=int, default=200)
    ap.add_argument("--curl-count", type=int, default=None, help="curl calls to time (default: --messages)")
    ap.add_argument("--users", type=int, default=2000, help="sandbox directory size")
    args = ap.parse_args()
    n = args.messages
    curl_n = args.curl_count or n

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sandbox = start_sandbox_process(db_path=work / "sandbox.db", users=args.users, simulation=False)
        try:
            batch = work / "messages.json"
            write_batch(batch, n, "engine")
            print(
                f"sandbox: {sandbox.url} (child process), {args.users} users; batch file {batch.stat().st_size:,} bytes"
            )
            store = Store.open(work / "journal.db")
            engine = asyncio.run(run_engine(sandbox.url, sandbox.admin_token, batch, store, args.chunk_size))
            store.close()
            curl_s = run_curl(sandbox.url, sandbox.admin_token, curl_n, "curl", work)
            delivered = sandbox.delivered_messages()
        finally:
            sandbox.stop()

    by_tag = {"engine": 0, "curl": 0}
    for m in delivered:
        by_tag[str(m.get("text", "")).split(" ", 1)[0]] = (
            by_tag.get(str(m.get("text", "")).split(" ", 1)[0], 0) + 1
        )
    engine_total = engine["plan"] + engine["apply"]
    curl_full = curl_s * n / curl_n
    print()
    print(
        f"batch engine: {n} messages in {engine['chunks']:.0f} sendMessages requests of <= {args.chunk_size}"
    )
    print(f"  validate (exportUsers + every recipient checked): {engine['plan']:.2f} s")
    print(f"  send (journalled chunks): {engine['apply']:.2f} s  -> {n / engine['apply']:,.0f} msg/s")
    print(
        f"  total: {engine_total:.2f} s; delivered by the sandbox: {by_tag['engine']} (each once; re-run sends 0)"
    )
    if curl_n == n:
        print(
            f"curl loop: {n} x `curl -d message=… /sendMessage`: {curl_s:.2f} s -> {n / curl_s:,.0f} msg/s; "
            f"delivered {by_tag['curl']}"
        )
    else:
        print(
            f"curl loop: {curl_n} calls timed: {curl_s:.2f} s ({curl_s / curl_n * 1000:.1f} ms each); "
            f"extrapolated to {n}: {curl_full:.1f} s; delivered {by_tag['curl']}"
        )
    print(
        f"speed-up: {curl_full / engine_total:.1f}x end to end ({curl_full / engine['apply']:.1f}x sending only)"
    )


if __name__ == "__main__":
    main()
