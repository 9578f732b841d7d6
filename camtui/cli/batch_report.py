"""What `camtui send-batch` prints: the plan's headline and lines, and the `--json` shapes of plan and summary."""

from __future__ import annotations

from typing import Any


def refused_items(plan: Any) -> list[int]:
    """Items the plan would send but that its checks refused (errors): the run cannot start with them."""
    sending = set(plan.to_send)
    return sorted({p.index for p in plan.errors if p.index is not None and p.index in sending})


def headline(plan: Any) -> str:
    """`5 items in f.json: 1 to send, 4 refused (1 recipient), about 1 s`: refused items are not "to send"."""
    from pathlib import Path

    c = plan.counts
    refused = set(refused_items(plan))
    sendable = [i for i in plan.to_send if i not in refused]
    recipients = sum(len({u.lower() for u in plan.file.items[i].users}) for i in sendable)
    parts = [f"{len(sendable)} to send"]
    if refused:
        parts.append(f"{len(refused)} refused")
    else:
        parts[0] += f" in {_plural(c.get('chunks', len(plan.chunks)), 'request')}"
    tail = f"({_plural(recipients, 'recipient')})"
    if not refused:
        tail += f", about {_seconds(plan.estimate_seconds)}"
    return f"{_plural(c['items'], 'item')} in {Path(plan.file.path).name}: {', '.join(parts)} {tail}"


def plan_lines(plan: Any) -> list[str]:
    """The engine's plan text with this CLI's headline (the engine's first line counts refused items as
    "to send")."""
    return [headline(plan), *plan.lines()[1:]]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _seconds(seconds: float) -> str:
    if seconds < 1:
        return "1 s"
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def plan_json(plan: Any) -> dict[str, Any]:
    return {
        "file": plan.file.path,
        "fingerprint": plan.file.fingerprint,
        "counts": {**plan.counts, "to_send": len(plan.to_send) - len(refused_items(plan))}
        | {"refused": len(refused_items(plan))},
        "estimate_seconds": round(plan.estimate_seconds, 1),
        "problems": [
            {
                "item": None if p.index is None else p.index + 1,
                "severity": p.severity,
                "code": p.code,
                "text": p.text,
            }
            for p in plan.problems
        ],
    }


def summary_json(summary: Any) -> dict[str, Any]:
    return {
        "sent": summary.sent,
        "failed": summary.failed,
        "unknown": summary.unknown,
        "skipped": summary.skipped,
        "not_attempted": summary.not_attempted,
        "elapsed_seconds": round(summary.elapsed, 2),
        "stopped": summary.stopped,
        "failures": [{"item": i + 1, "reason": r} for i, r in summary.failures],
        "unknown_items": [i + 1 for i in summary.unknowns],
        "failed_file": str(summary.failed_path) if summary.failed_path else None,
    }


def network_stop(reason: str) -> bool:
    return reason.startswith("network error")
