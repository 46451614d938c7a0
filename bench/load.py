"""Load benchmark of the full stack on loopback: API gateway (widget API) + Rasa + actions.

Starts its own stack, then for 1, 5 and 20 concurrent simulated users runs a fixed time each;
a user repeats greeting → FAQ question → rule form step (ask + answer), half of the users
through the widget's API, half through Rasa's REST webhook. Prints p50/p95/p99 per
message type, throughput, RSS of every process, time to ready, and, in the same run, a bare
Rasa REST reply to a greeting as the baseline with the FAQ/baseline ratio.
Run: ``python -m bench.load [--seconds 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.backing import Backing
from bench.stack import Stack, stack_env

TURNS = {
    "greeting": ["hello", "hallo", "živjo"],
    "faq": [
        "How do I register on the new platform?",
        "Hoe kan ik me registreren op het nieuwe platform?",
        "Kako se registriram na novi platformi?",
    ],
    "form_step": ["Will my eTwinning group be migrated? I'm the admin of one", "15.6.2021"],
}


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def user(
    client: httpx.AsyncClient, stack: Stack, deadline: float, timings: dict[str, list[float]], i: int
) -> None:
    """One simulated teacher, a new conversation per cycle; even users come through the widget's
    API (gateway → Rasa → actions), odd ones through Rasa's REST webhook (Rasa → actions)."""
    lang = i % 3
    widget = i % 2 == 0
    while time.monotonic() < deadline:
        conversation = None if widget else f"load-{uuid.uuid4().hex}"
        token: dict[str, str] = {}
        for kind, text in (
            ("greeting", TURNS["greeting"][lang]),
            ("faq", TURNS["faq"][lang]),
            ("form_step", TURNS["form_step"][0]),
            ("form_step", TURNS["form_step"][1]),
        ):
            started = time.perf_counter()
            if widget:
                body: dict[str, object] = {"text": text}
                if conversation:
                    body["conversation_id"] = conversation
                response = await client.post(f"{stack.api}/api/chat/messages", json=body, headers=token)
            else:
                rest = {"sender": conversation, "message": text}
                response = await client.post(f"{stack.rasa}/webhooks/rest/webhook", json=rest)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or (widget and response.json()["handoff"]):
                timings.setdefault("errors", []).append(float(response.status_code))
                break
            if widget and conversation is None:
                conversation = response.json()["conversation_id"]
                token = {"X-Conversation-Token": response.json()["conversation_token"]}


async def bare_rasa(client: httpx.AsyncClient, rasa: str, n: int = 50) -> list[float]:
    """Baseline: Rasa's REST channel answering a greeting (no gateway, no custom action)."""
    out = []
    for _ in range(n):
        started = time.perf_counter()
        await client.post(
            f"{rasa}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": "hello"}
        )
        out.append((time.perf_counter() - started) * 1000)
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0.0
    pids = [pid]
    for child in (
        Path(f"/proc/{pid}/task/{pid}/children").read_text().split() if Path(f"/proc/{pid}").exists() else []
    ):
        pids.append(int(child))
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(stack: Stack, seconds: float) -> None:
    """All measurements against a running stack."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await bare_rasa(client, stack.rasa, 5)
        baseline = await bare_rasa(client, stack.rasa)
        base_p50 = statistics.median(baseline)
        print(f"bare Rasa REST greeting: p50 {base_p50:.1f} ms, p95 {pct(baseline, 0.95):.1f} ms")
        for users in (1, 5, 20):
            timings: dict[str, list[float]] = {}
            deadline = time.monotonic() + seconds
            started = time.monotonic()
            cpu_before = {name: cpu_seconds(proc.pid) for name, proc in stack.procs.items()}
            await asyncio.gather(*(user(client, stack, deadline, timings, i) for i in range(users)))
            elapsed = time.monotonic() - started
            total = sum(len(v) for k, v in timings.items() if k != "errors")
            print(
                f"\n{users} users, {elapsed:.0f} s: {total / elapsed:.1f} messages/s (target >= 40 at 20), "
                f"{len(timings.get('errors', []))} errors or handoffs"
            )
            cpu = {
                name: (cpu_seconds(proc.pid) - cpu_before[name]) * 1000 / max(1, total)
                for name, proc in stack.procs.items()
            }
            print("  CPU per message: " + ", ".join(f"{k} {v:.0f} ms" for k, v in cpu.items()))
            for kind in ("greeting", "faq", "form_step"):
                t = timings.get(kind, [])
                print(
                    f"  {kind:9} n={len(t):4d} p50 {pct(t, 0.5):7.1f} p95 {pct(t, 0.95):7.1f} "
                    f"p99 {pct(t, 0.99):7.1f} ms"
                )
            faq = timings.get("faq", [])
            if faq:
                print(
                    f"  FAQ p50 / bare Rasa p50 = {pct(faq, 0.5) / base_p50:.2f} (target <= 1.5); "
                    f"FAQ p95 {pct(faq, 0.95):.0f} ms (target <= 150)"
                )
    rss = {name: rss_mb(proc.pid) for name, proc in stack.procs.items()}
    print(
        "\nRSS: "
        + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items())
        + f"; total {sum(rss.values()):.0f} MB "
        "(target <= 2048)"
    )


def main() -> None:
    """Start a stack in a temp dir, measure, stop."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="duration per concurrency level")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stack = Stack(workdir, {**stack_env(Backing().env(workdir)), "NSO_RATE_LIMIT_PER_MINUTE": "100000"})
        started = time.monotonic()
        try:
            stack.start()  # both at once, as scripts/run.sh does
            print(f"ready after {time.monotonic() - started:.0f} s (API + Rasa, target <= 60 s)")
            asyncio.run(run(stack, args.seconds))
        finally:
            stack.stop_all()


if __name__ == "__main__":
    main()
