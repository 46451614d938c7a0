"""The hashed lock files agree with what the project declares (issue 17: installable from a lock).

Fails when pyproject.toml or requirements/rasa*.txt change without ``make lock``, so set-up never
installs something other than what the declarations say.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
LOCK_LINE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9._-]*)==(?P<version>\S+) --hash=sha256:[0-9a-f]{64}$")

pytestmark = pytest.mark.unit


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for number, line in enumerate((REQUIREMENTS / f"{name}.lock").read_text().splitlines(), 1):
        if line.startswith("#"):
            continue
        match = LOCK_LINE.match(line)
        assert match, f"requirements/{name}.lock:{number}: not 'name==version --hash=sha256:...'"
        pins[_norm(match["name"])] = match["version"]
    return pins


def _declared(requirements: list[str]) -> dict[str, str]:
    out = {}
    for text in requirements:
        requirement = Requirement(text)
        (spec,) = [s for s in requirement.specifier if s.operator == "=="] or [None]
        if spec is not None:
            out[_norm(requirement.name)] = spec.version
    return out


def _project() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"run": project["dependencies"], "test": project["optional-dependencies"]["test"]}


@pytest.mark.parametrize(("lock", "groups"), [("run", ["run"]), ("test", ["run", "test"])])
def test_main_locks_pin_every_declared_version(lock: str, groups: list[str]) -> None:
    pins = _lock(lock)
    for group in groups:
        for name, version in _declared(_project()[group]).items():
            assert pins.get(name) == version, f"{name}=={version} declared, {lock}.lock has {pins.get(name)}"


def test_run_lock_leaves_the_test_tools_out() -> None:
    run = _lock("run")
    assert not set(_declared(_project()["test"])) & set(run)
    assert set(run) <= set(_lock("test"))


def test_rasa_lock_pins_what_requirements_rasa_declares() -> None:
    pins = _lock("rasa")
    for source, required in (("rasa.txt", True), ("rasa-constraints.txt", False)):
        for line in (REQUIREMENTS / source).read_text().splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            requirement = Requirement(line)
            name = _norm(requirement.name)
            if name not in pins:
                assert not required, f"{name} declared in {source} but missing from rasa.lock"
                continue
            assert requirement.specifier.contains(pins[name], prereleases=True), f"{name} {pins[name]}"


def test_setup_installs_only_from_the_locks_with_hashes() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text().replace("\\\n", " ")
    installs = [line for line in setup.splitlines() if re.search(r"venv \.venv", line)]
    assert installs and all("--require-hashes" in line and ".lock" in line for line in installs)
