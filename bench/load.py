"""Load benchmark of the full stack on loopback: API gateway (widget API) + Rasa + actions.

Starts its own stack, then for 1, 5 and 20 concurrent simulated users runs a fixed time each;
a user repeats greeting → FAQ question → rule form step (ask + answer), half of the users
through the widget's API, half through Rasa's REST webhook. Prints every figure of issue 17's
table in one run: p50/p95/p99 per message type, throughput, CPU per message of each process and
the time per stage (gateway turn, Rasa call, action, retrieval; from the API's own /metrics),
``/api/ask`` alone, RSS of every process, time to ready, and, in the same run, a bare Rasa REST
reply to a greeting as the baseline with the FAQ/baseline ratio.

Then the "teachers with think time" profile: every simulated teacher waits 3–10 s between
messages, as people read and type; the number of teachers doubles until the FAQ p95 passes
300 ms, and the largest number that stayed under it is what one machine holds.
Run: ``python -m bench.load [--seconds 20] [--think-seconds 30] [--think-max 640]``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import re
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


TARGETS = {
    "ratio": 2.0,  # FAQ p50 / bare Rasa p50 (stretch 1.5)
    "cpu_ms": 20.0,  # API + Rasa CPU per message
    "throughput": 60.0,  # messages/s at 20 users
    "ask_p50_ms": 15.0,  # /api/ask, one client
    "rss_mb": 2048.0,  # API + Rasa
    "ready_s": 30.0,
    "think_p95_ms": 300.0,
}
METRICS_TOKEN = "bench-metrics-token"
STAGES = ("turn", "rasa", "action", "retrieval")


def failures(timings: dict[str, list[float]]) -> str:
    """How many messages failed and how: an HTTP status, or ``handoff`` (a 200 that put the
    teacher in the helpdesk queue, as the gateway does when Rasa does not answer in time)."""
    codes = collections.Counter(
        "handoff" if code == 200 else str(int(code)) for code in timings.get("errors", [])
    )
    detail = ", ".join(f"{kind} ×{n}" for kind, n in sorted(codes.items()))
    return f"{sum(codes.values())} errors or handoffs" + (f" ({detail})" if detail else "")


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def user(
    client: httpx.AsyncClient,
    stack: Stack,
    deadline: float,
    timings: dict[str, list[float]],
    i: int,
    *,
    think: tuple[float, float] | None = None,
) -> None:
    """One simulated teacher, a new conversation per cycle; even users come through the widget's
    API (gateway → Rasa → actions), odd ones through Rasa's REST webhook (Rasa → actions).
    With ``think`` (seconds, low and high) the teacher pauses that long before each message."""
    lang = i % 3
    widget = i % 2 == 0
    rng = random.Random(i)
    while time.monotonic() < deadline:
        conversation = None if widget else f"load-{uuid.uuid4().hex}"
        token: dict[str, str] = {}
        for kind, text in (
            ("greeting", TURNS["greeting"][lang]),
            ("faq", TURNS["faq"][lang]),
            ("form_step", TURNS["form_step"][0]),
            ("form_step", TURNS["form_step"][1]),
        ):
            if think:
                await asyncio.sleep(rng.uniform(*think))
                if time.monotonic() >= deadline:
                    return
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


async def stage_sums(client: httpx.AsyncClient, stack: Stack) -> dict[str, float]:
    """Seconds spent so far per stage, from the API's ``nso_stage_seconds_sum`` (its /metrics)."""
    response = await client.get(f"{stack.api}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    sums = dict.fromkeys(STAGES, 0.0)
    for match in re.finditer(
        r'^nso_stage_seconds_sum\{[^}]*stage="(\w+)"[^}]*\} (\S+)$', response.text, re.M
    ):
        if match[1] in sums:
            sums[match[1]] += float(match[2])
    return sums


async def ask_alone(client: httpx.AsyncClient, stack: Stack, n: int = 60) -> list[float]:
    """``/api/ask`` (retrieval, notes, sources; no Rasa) from one client, in ms."""
    out = []
    for k in range(n):
        question = TURNS["faq"][k % 3]
        started = time.perf_counter()
        response = await client.post(f"{stack.api}/api/ask", json={"text": question})
        response.raise_for_status()
        out.append((time.perf_counter() - started) * 1000)
    return out


def verdict(value: float, target: float, higher_is_better: bool = False) -> str:
    """``meets`` or ``misses by N %`` for one figure of the table."""
    ok = value >= target if higher_is_better else value <= target
    if ok:
        return "meets"
    return f"misses by {abs(value - target) / target * 100:.0f} %"


async def think_time(client: httpx.AsyncClient, stack: Stack, seconds: float, most: int) -> None:
    """How many teachers with 3–10 s think time one machine holds with FAQ p95 <= 300 ms."""
    print(f"\nteachers with think time (3–10 s between messages, {seconds:.0f} s per level)")
    held = 0
    users = 10
    while users <= most:
        timings: dict[str, list[float]] = {}
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(user(client, stack, deadline, timings, i, think=(3.0, 10.0)) for i in range(users))
        )
        faq = timings.get("faq", [])
        p95 = pct(faq, 0.95)
        errors = len(timings.get("errors", []))
        print(f"  {users:4d} teachers: FAQ n={len(faq)} p95 {p95:.0f} ms, {failures(timings)}")
        if not faq or p95 > TARGETS["think_p95_ms"] or errors:
            break
        held = users
        users *= 2
    print(f"  holds {held} concurrent teachers with FAQ p95 <= {TARGETS['think_p95_ms']:.0f} ms")


async def run(stack: Stack, seconds: float, think_seconds: float, think_max: int) -> None:
    """All measurements against a running stack."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await bare_rasa(client, stack.rasa, 5)
        baseline = await bare_rasa(client, stack.rasa)
        base_p50 = statistics.median(baseline)
        print(f"bare Rasa REST greeting: p50 {base_p50:.1f} ms, p95 {pct(baseline, 0.95):.1f} ms")
        await ask_alone(client, stack, 5)
        ask = statistics.median(await ask_alone(client, stack))
        print(f"/api/ask alone, 1 client: p50 {ask:.1f} ms ({verdict(ask, TARGETS['ask_p50_ms'])})")
        table: dict[str, float] = {}
        for users in (1, 5, 20):
            timings: dict[str, list[float]] = {}
            deadline = time.monotonic() + seconds
            started = time.monotonic()
            cpu_before = {name: cpu_seconds(proc.pid) for name, proc in stack.procs.items()}
            stages_before = await stage_sums(client, stack)
            await asyncio.gather(*(user(client, stack, deadline, timings, i) for i in range(users)))
            elapsed = time.monotonic() - started
            total = sum(len(v) for k, v in timings.items() if k != "errors")
            print(f"\n{users} users, {elapsed:.0f} s: {total / elapsed:.1f} messages/s, {failures(timings)}")
            cpu = {
                name: (cpu_seconds(proc.pid) - cpu_before[name]) * 1000 / max(1, total)
                for name, proc in stack.procs.items()
            }
            print("  CPU per message: " + ", ".join(f"{k} {v:.0f} ms" for k, v in cpu.items()))
            stages_after = await stage_sums(client, stack)
            print(
                "  time per message by stage (API /metrics): "
                + ", ".join(
                    f"{k} {(stages_after[k] - stages_before[k]) * 1000 / max(1, total):.1f} ms"
                    for k in STAGES
                )
            )
            if users == 1 and timings.get("faq"):
                table["ratio"] = pct(timings["faq"], 0.5) / base_p50
            if users == 20:
                table["throughput"] = total / elapsed
                table["cpu_ms"] = sum(cpu.values())
            for kind in ("greeting", "faq", "form_step"):
                t = timings.get(kind, [])
                print(
                    f"  {kind:9} n={len(t):4d} p50 {pct(t, 0.5):7.1f} p95 {pct(t, 0.95):7.1f} "
                    f"p99 {pct(t, 0.99):7.1f} ms"
                )
            faq = timings.get("faq", [])
            if faq:
                print(f"  FAQ p50 / bare Rasa p50 = {pct(faq, 0.5) / base_p50:.2f}")
        await think_time(client, stack, think_seconds, think_max)
    rss = {name: rss_mb(proc.pid) for name, proc in stack.procs.items()}
    print(
        "\nRSS: "
        + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items())
        + f"; total {sum(rss.values()):.0f} MB"
    )
    table["rss_mb"] = sum(rss.values())
    table["ask_p50_ms"] = ask
    print("\nissue 17's table (this run):")
    rows = (
        ("ratio", "FAQ turn p50 / bare Rasa p50, 1 user", "", False),
        ("cpu_ms", "CPU per message, API + Rasa, 20 users", " ms", False),
        ("throughput", "throughput at 20 users", " msg/s", True),
        ("ask_p50_ms", "/api/ask p50, 1 client", " ms", False),
        ("rss_mb", "resident memory, API + Rasa", " MB", False),
    )
    for key, label, unit, higher in rows:
        if key in table:
            value, target = table[key], TARGETS[key]
            print(
                f"  {label:40} {value:8.1f}{unit} target {target:g}{unit}: {verdict(value, target, higher)}"
            )


def main() -> None:
    """Start a stack in a temp dir, measure, stop."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="duration per concurrency level")
    parser.add_argument("--think-seconds", type=float, default=30.0, help="duration per think-time level")
    parser.add_argument(
        "--think-max", type=int, default=640, help="most teachers the think-time profile tries"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {
            **stack_env(Backing().env(workdir)),
            "NSO_RATE_LIMIT_PER_MINUTE": "100000",
            "NSO_METRICS_TOKEN": METRICS_TOKEN,
        }
        stack = Stack(workdir, env)
        started = time.monotonic()
        try:
            stack.start()  # both at once, as scripts/run.sh does
            ready = time.monotonic() - started
            print(f"ready after {ready:.0f} s (API + Rasa; {verdict(ready, TARGETS['ready_s'])})")
            asyncio.run(run(stack, args.seconds, args.think_seconds, args.think_max))
        finally:
            stack.stop_all()


if __name__ == "__main__":
    main()
