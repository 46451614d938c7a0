"""The command line, run as a user would: python -m knowledge.rules ..."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "knowledge.rules", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_evaluates_rule_in_dutch() -> None:
    result = _run("group_migration", "last_activity=2021-06-15", "--lang", "nl", "--as-of", "2026-11-26")
    assert result.returncode == 0, result.stderr
    assert "Oordeel: Ja" in result.stdout
    assert "15 juni 2021" in result.stdout
    assert "ec-en-groups-migration" in result.stdout


def test_cli_json_output_is_a_verdict() -> None:
    result = _run(
        "group_migration", "last_activity=15.6.2021", "--lang", "sl", "--as-of", "10.1.2022", "--json"
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert (verdict["verdict"], verdict["lang"], verdict["as_of"]) == ("yes", "sl", "2022-01-10")
    assert verdict["sources"] and verdict["reasons"] and verdict["missing"] == []


def test_cli_list_and_comma_separated_list_input() -> None:
    result = _run("european_quality_label", "nql_countries=België, Slovenija", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "yes"


def test_cli_missing_input_gives_need_more() -> None:
    result = _run("school_label", "years_registered=3", "--json")
    assert json.loads(result.stdout)["missing"] == ["active_teachers", "european_nql_count"]


def test_cli_lists_rules() -> None:
    result = _run("--list")
    assert result.returncode == 0, result.stderr
    for name in ("group_migration", "profile_migration", "school_label", "toolkit_results"):
        assert name in result.stdout
    listed = json.loads(_run("--list", "--json").stdout)
    assert len(listed) == 15
    assert listed[0]["inputs"][0]["prompt"].keys() == {"en", "nl", "sl"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("group_migration", "last_activity=31.02.2021"), "last_activity: not a date: '31.02.2021'"),
        (("group_migrate",), "unknown rule: 'group_migrate'"),
        (("group_migration", "--as-of", "someday"), "as_of: not a date: 'someday'"),
        (("group_migration", "last_activity"), "expected name=value"),
        (("contacts_migration", "--lang", "de"), "lang: not a supported language"),
    ],
)
def test_cli_errors_exit_2_with_message(args: tuple[str, ...], message: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
