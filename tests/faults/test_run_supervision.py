"""`make run` keeps the helpdesk up when a part dies: supervisord restarts it, the other serves on.

The system is started exactly as the README's run command does (``bash scripts/run.sh``), on free
ports, with its state (gateway database, Rasa's tracker, supervisord's config, socket and log) in
the test's temp dir. Rasa killed (as by the OOM killer): the widget's next message is answered
within 5 s with the "assistant unavailable" text, stored and queued for an agent, until Rasa is
back by itself and answers again. The API killed: restarted, the conversation goes on where it
was (its history, and Rasa's tracker, which the API never held). Ctrl-C stops every process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bench.backing import Backing
from bench.stack import ROOT, Stack, stack_env
from conversation.db import session_scope
from conversation.models import Handoff
from tests.integration.factories import Chat, texts

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START_SECONDS = 300  # both parts loading on 2 shared cores; ~30-60 s when the machine is idle
REPLY_SECONDS = 5  # what a teacher waits at most, whatever state the assistant is in
UNAVAILABLE = "Sorry, the assistant cannot answer right now."  # conversation/texts.yml, en


def _stat(pid: int | str) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, ..., starttime at [19])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


Process = tuple[int, str]  # pid and start time: a pid the kernel reuses is another process


def descendants(pid: int) -> set[Process]:
    """Every process below ``pid`` (from /proc), so the test can see that none is left."""
    children: dict[int, list[Process]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(entry.name)
        if fields:
            children.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found: set[Process] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def alive(process: Process) -> bool:
    """Whether the process still runs (a zombie does not)."""
    fields = _stat(process[0])
    return fields is not None and fields[19] == process[1] and fields[0] != "Z"


def port_free(port: int) -> bool:
    """Whether a server could listen on ``port`` again (closed connections may linger in TIME_WAIT)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn and Rasa's Sanic do
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Run:
    """``scripts/run.sh`` running: its process, and a Stack naming its ports, tokens and state."""

    proc: subprocess.Popen[bytes]
    stack: Stack
    run_dir: Path
    seen: set[Process] = field(default_factory=set)  # every process the run had: none may outlive it

    def ctl(self, *args: str) -> str:
        """``supervisorctl`` on this run's supervisord."""
        conf = str(self.run_dir / "supervisord.conf")
        command = [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", conf, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False).stdout

    def pid(self, part: str) -> int:
        """The running process of ``part`` (api, rasa) as supervisord knows it; 0 while it has none."""
        out = self.ctl("pid", part).strip()
        return int(out) if out.isdigit() else 0

    def remember(self) -> None:
        self.seen |= descendants(self.proc.pid)

    def wait_ready(self, seconds: float = START_SECONDS) -> float:
        """Poll /ready until every part is up; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            assert self.proc.poll() is None, f"run.sh exited with {self.proc.returncode}; {self.log}"
            try:
                if httpx.get(f"{self.stack.api}/ready", timeout=5).status_code == 200:
                    self.remember()
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise TimeoutError(f"not ready after {seconds} s; see {self.log}")

    def restarted(self, part: str, old: int, seconds: float = 60) -> int:
        """Wait for supervisord to start ``part`` again; returns its new pid."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            new = self.pid(part)
            if new and new != old:
                return new
            time.sleep(0.5)
        raise TimeoutError(f"{part} not restarted after {seconds} s; see {self.log}")

    @property
    def log(self) -> Path:
        return self.stack.workdir / "run.log"

    def supervisor_log(self) -> str:
        return (self.run_dir / "log" / "supervisord.log").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory, backing: Backing) -> Iterator[Run]:
    """The system as `make run` starts it (after set-up), ready; stopped like Ctrl-C at the end."""
    if backing.scale_out:
        pytest.skip("make run is the embedded-defaults profile (SQLite); scale-out runs its parts itself")
    workdir = tmp_path_factory.mktemp("run")
    stack = Stack(workdir, stack_env(backing.env(workdir)))
    run_dir = workdir / "var"
    env = {
        **stack.env,
        "NSO_PORT": str(stack.api_port),
        "NSO_RASA_PORT": str(stack.rasa_port),
        "NSO_RUN_DIR": str(run_dir),
    }
    with (workdir / "run.log").open("ab") as log:  # append mode: supervisord writes to it too
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
    run = Run(proc, stack, run_dir)
    try:
        took = run.wait_ready()
        print(f"make run: ready after {took:.0f} s")
        yield run
    finally:
        run.remember()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for process in run.seen:  # only processes this run started
            if alive(process):
                os.kill(process[0], signal.SIGKILL)


def rasa_ready(stack: Stack) -> bool:
    """Whether Rasa answers its /status (it refuses connections, then says 409, while it loads)."""
    try:
        return httpx.get(stack.rasa_status, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def timed_say(chat: Chat, text: str) -> tuple[list[dict[str, Any]], float]:
    started = time.monotonic()
    messages = chat.say(text)
    return messages, time.monotonic() - started


def test_run_rasa_killed_teacher_told_and_queued_then_rasa_back_by_itself(system: Run) -> None:
    system.wait_ready()
    chat = Chat(system.stack)
    first = chat.say("How do I register on the new platform?")
    assert first and first[0]["role"] == "bot" and "EU Login" in texts(first)

    rasa = system.pid("rasa")
    killed_at = time.monotonic()
    os.kill(rasa, signal.SIGKILL)  # as the out-of-memory killer would
    down, seconds = timed_say(chat, "And what happens to my TwinSpace?")
    print(f"unavailable reply after {seconds:.2f} s")
    assert seconds < REPLY_SECONDS
    assert down[0]["role"] == "system" and str(down[0]["text"]).startswith(UNAVAILABLE)
    user = chat.stored("user")
    assert [(m.text, m.status) for m in user][-1] == ("And what happens to my TwinSpace?", "queued")
    with session_scope(system.stack.env["NSO_DATABASE_URL"]) as session:
        handoff = session.scalars(
            select(Handoff).where(Handoff.conversation_id == chat.conversation_id)
        ).one()
        assert (handoff.reason, handoff.status) == ("assistant_unavailable", "waiting")

    # meanwhile the API says which part is down, and stays alive
    health = httpx.get(f"{system.stack.api}/health", timeout=10)
    assert health.status_code == 200
    ready = httpx.get(f"{system.stack.api}/ready", timeout=10)
    if ready.status_code == 200:  # a probe from before the kill, cached for 2 s
        time.sleep(2.5)
        ready = httpx.get(f"{system.stack.api}/ready", timeout=10)
    assert ready.status_code == 503 and ready.json()["parts"]["rasa"] == "down"

    system.restarted("rasa", rasa)
    assert "exited: rasa (terminated by SIGKILL; not expected)" in system.supervisor_log()
    starting = not rasa_ready(system.stack)
    while_starting, seconds = timed_say(Chat(system.stack), "How do I register on the new platform?")
    assert seconds < REPLY_SECONDS  # Rasa refuses connections, then answers 409 while it loads
    if starting:
        assert str(while_starting[0]["text"]).startswith(UNAVAILABLE)

    system.wait_ready()
    print(f"Rasa back after {time.monotonic() - killed_at:.0f} s")
    fresh = Chat(system.stack)
    answer = fresh.say("How do I register on the new platform?")
    assert answer[0]["role"] == "bot" and "EU Login" in texts(answer)
    # the queued conversation stays with the helpdesk: its next message waits for an agent
    again = chat.say("Is anybody there?")
    assert not any(m["role"] == "bot" for m in again)
    assert [m.status for m in chat.stored("user")][-1] == "queued"


def test_run_api_killed_restarted_and_conversation_goes_on(system: Run) -> None:
    system.wait_ready()
    chat = Chat(system.stack)
    first = chat.say("How do I register on the new platform?")
    assert first[0]["role"] == "bot"
    api = system.pid("api")
    rasa = system.pid("rasa")
    killed_at = time.monotonic()
    os.kill(api, signal.SIGKILL)

    system.restarted("api", api)
    assert "exited: api (terminated by SIGKILL; not expected)" in system.supervisor_log()
    system.wait_ready()
    print(f"API back after {time.monotonic() - killed_at:.0f} s")
    assert system.pid("rasa") == rasa  # Rasa went on serving meanwhile

    history = httpx.get(
        f"{system.stack.api}/api/chat/conversations/{chat.conversation_id}/messages",
        headers={"X-Conversation-Token": chat.token or ""},
        timeout=30,
    )
    assert history.status_code == 200
    assert history.json()["messages"][0]["text"] == "How do I register on the new platform?"
    follow_up = chat.say("And what happens to my TwinSpace?")
    assert follow_up[0]["role"] == "bot"
    tracker = httpx.get(
        f"{system.stack.rasa}/conversations/{chat.conversation_id}/tracker",
        params=system.stack.rasa_auth,
        timeout=30,
    ).json()
    said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert said[-2:] == ["How do I register on the new platform?", "And what happens to my TwinSpace?"]


def test_run_ctrl_c_stops_every_process_and_frees_the_ports(system: Run) -> None:
    system.wait_ready()
    system.remember()
    assert len(system.seen) >= 3  # supervisord, the API, Rasa
    os.killpg(system.proc.pid, signal.SIGINT)  # what a terminal sends its foreground job on Ctrl-C
    assert system.proc.wait(90) == 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(p) for p in system.seen):
        time.sleep(0.5)
    assert [p for p in system.seen if alive(p)] == []
    assert port_free(system.stack.api_port) and port_free(system.stack.rasa_port)
    log = system.supervisor_log()
    assert "stopped: rasa" in log and "stopped: api" in log
