"""The KB validator: the real KB is clean; broken files give file:line messages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.validate import validate

KB = Path(__file__).resolve().parents[2] / "knowledge" / "kb"
RULES_DATA = Path(__file__).resolve().parents[2] / "knowledge" / "rules" / "data"
pytestmark = pytest.mark.unit


def test_validate_real_kb_has_no_problems() -> None:
    assert [str(p) for p in validate(KB)] == []


def test_validate_cli_exits_zero_on_real_kb() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "knowledge", "validate"], check=False, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "0 problem(s)" in done.stderr


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    for path in KB.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path``; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    pos = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:pos].count("\n") + 1


def _assert_reported_near_edit(
    kb_copy: Path, file: str, old: str, new: str, message: str, within: int
) -> None:
    """Edit ``file`` of the KB copy; validate must report ``message`` for it near the edited line."""
    target = kb_copy / file
    line = _edit(target, old, new)
    problems = validate(kb_copy)
    hits = [p for p in problems if p.path == target and message in p.message]
    assert hits, [str(p) for p in problems]
    assert any(abs(p.line - line) <= within for p in hits), [str(p) for p in hits]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("id: nl-contacts-followers", "id: nl-profile-pictures", "duplicate entry id"),
        ("entry: ec-en-contacts-followers", "entry: ec-en-no-such-entry", "no entry 'ec-en-no-such-entry'"),
        ("topic: contacts-followers", "topic: contacts-and-friends", "unknown topic"),
        ("language: nl", "language: de", "document.language"),
        ("date: 2023-10-17", "date: 2023-02-31", "document.date"),
        ('section: "eTwinning, vraag 11"', "sectie: x", "entries"),
    ],
)
def test_validate_broken_file_reports_file_and_line(kb_copy: Path, old: str, new: str, message: str) -> None:
    _assert_reported_near_edit(kb_copy, "nso-flanders-faq-nl.yml", old, new, message, within=3)


def test_validate_one_way_conflict_link_is_reported(kb_copy: Path) -> None:
    target = kb_copy / "ec-faq-en.yml"
    _edit(target, "entry: nl-contacts-followers", "entry: nl-profile-pictures")
    problems = [str(p) for p in validate(kb_copy)]
    assert any("does not link back" in p for p in problems), problems


@pytest.mark.parametrize(
    ("target", "old", "new", "message"),
    [
        # a link back under another disagreement id is not a link back
        (
            "ec-faq-sl.yml",
            "id: partner-finding-reinstated",
            "id: partner-finding-gone",
            "does not link back",
        ),
        (
            "ec-faq-sl.yml",
            'says: "forumi za iskanje partnerjev v eTwinning Live pa bodo deaktivirani"',
            'says: "forumi za iskanje partnerjev so ostali"',
            "is not in 'sl-partner-finding-forum'",
        ),
        (
            "ec-faq-sl.yml",
            "entry: nl-partner-finding-forum\n        severity: high",
            "entry: nl-partner-finding-forum\n        severity: low",
            "severity 'low'",
        ),
        (
            "ec-faq-sl.yml",
            'en: "EC FAQ (2022): the partner finding forums are deactivated',
            'en: "EC FAQ (2022): the forums are deactivated',
            "differs is not the line",
        ),
        (
            "ec-faq-sl.yml",
            'en: "EC FAQ (2022): the partner finding forums are deactivated',
            'en: "EC FAQ (2022): the partner finding forums are deactivated' + " and so on" * 20,
            "must be one line of at most 220 characters",
        ),
    ],
)
def test_validate_broken_conflict_link_reports_file_and_line(
    kb_copy: Path, target: str, old: str, new: str, message: str
) -> None:
    path = kb_copy / target
    line = _edit(path, old, new)
    problems = validate(kb_copy)
    hits = [p for p in problems if message in p.message]
    assert hits, [str(p) for p in problems]
    assert any(p.path == path and abs(p.line - line) <= 12 for p in hits), [str(p) for p in hits]


def test_validate_one_way_link_is_reported_at_the_link_left(kb_copy: Path) -> None:
    # The Flemish entry stops linking to the English EC entry; the EC entry still links to it.
    _edit(
        kb_copy / "nso-flanders-faq-nl.yml",
        "entry: ec-en-partner-finding-forum\n        also: [sl-partner-finding-forum]",
        "entry: sl-partner-finding-forum",
    )
    ec_en = kb_copy / "ec-faq-en.yml"
    text = ec_en.read_text(encoding="utf-8")
    entry = text.index("  - id: ec-en-partner-finding-forum")
    link_line = text[: text.index("    conflicts_with:", entry)].count("\n") + 2
    problems = validate(kb_copy)
    hits = [p for p in problems if "'nl-partner-finding-forum' does not link back" in p.message]
    assert [(p.path, p.line) for p in hits] == [(ec_en, link_line)], [str(p) for p in problems]
    done = subprocess.run(
        [sys.executable, "-m", "knowledge", "validate", "--kb-dir", str(kb_copy)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert (
        f"{ec_en}:{link_line}: conflicts_with: 'nl-partner-finding-forum' does not link back" in done.stderr
    )


def test_validate_disagreement_missing_a_language_version_is_reported(kb_copy: Path) -> None:
    # sl-progression-bar answers in Slovenian: without its links the Slovenian answer has no notes
    path = kb_copy / "ec-faq-sl.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: sl-progression-bar")
    block = text.index("    conflicts_with:", start)
    end = text.index("    see_also:", block)
    path.write_text(text[:block] + text[end:], encoding="utf-8")
    problems = [str(p) for p in validate(kb_copy)]
    assert any(
        "'sl-progression-bar' answers topic 'progression-bar' in sl but has no link for it" in p
        for p in problems
    ), problems
    assert any("does not link back to 'ec-en-progression-bar'" in p for p in problems), problems


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DATA, target)
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # "v maju 2022" stored as 1 May 2022
        (
            "ec-faq-sl.yml",
            'date: 2022-05\n        says: "v maju 2022"',
            'date: 2022-05-01\n        says: "v maju 2022"',
            "is more precise than its source words 'maju 2022' (month",
        ),
        # "voorjaar 2023" as 1 March 2023
        (
            "nso-flanders-faq-nl.yml",
            "date: 2023-spring",
            "date: 2023-03-01",
            "more precise than its source words",
        ),
        # words that are not the source's
        (
            "ec-faq-en.yml",
            'says: "before July 2022"',
            'says: "by 30 June 2022"',
            "is not in the entry's question",
        ),
        # a label restating its date
        (
            "ec-faq-en.yml",
            '"deadline to download the Toolkit self-assessment and questionnaire result PDFs"',
            '"deadline to download the Toolkit result PDFs (before July 2022)"',
            "label.en restates a date",
        ),
        (
            "ec-faq-en.yml",
            "written_before: ec-en-esep-launch-date#",
            "written_before: ec-en-platform-url#",
            "no key date",
        ),
    ],
)
def test_validate_date_not_as_its_source_says_reports_file_and_line(
    kb_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    _assert_reported_near_edit(kb_copy, file, old, new, message, within=6)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # a rule that restates the date its KB entry holds (and disagrees with it: "before July 2022")
        (
            "facts.yml",
            "    date: toolkit_result_pdfs_download_deadline\n    source: {entry: ec-en-toolkit-self-assessment-pdfs",
            "    value: 2022-06-30\n    source: {entry: ec-en-toolkit-self-assessment-pdfs",
            "fact toolkit_not_migrated: restates a date (2022-06-30)",
        ),
        (
            "facts.yml",
            "    date: esep_initial_release\n",
            "    date: esep_release\n",
            "has no key date 'esep_release'",
        ),
        (
            "facts.yml",
            '"The export request must be submitted latest by 15 June 2022."',
            '"The export request must be submitted by 30 June 2022."',
            "quote is not in",
        ),
        # a date written out in a rule text instead of the fact's placeholder
        (
            "etwinning_migration.yml",
            "Create a new project with your partners on the new platform.",
            "Create a new project with your partners after the end of August 2022.",
            "restates a date ('August 2022')",
        ),
        (
            "seg_migration.yml",
            "by {seg_reviewed_contact_deadline},",
            "by 15 May 2022,",
            "restates a date ('15 May 2022')",
        ),
    ],
)
def test_validate_rule_restating_or_missing_a_kb_date_reports_file_and_line(
    kb_copy: Path, rules_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    target = rules_copy / file
    line = _edit(target, old, new)
    problems = validate(kb_copy, rules_copy)
    hits = [p for p in problems if p.path == target and message in p.message]
    assert hits, [str(p) for p in problems]
    assert any(abs(p.line - line) <= 3 for p in hits), [str(p) for p in hits]


def test_validate_rule_comparing_finer_than_its_source_is_reported(kb_copy: Path, rules_copy: Path) -> None:
    _edit(
        rules_copy / "etwinning_migration.yml",
        "- when: {last_activity: {le: $groups_window_end}}",
        "- when: {last_activity: {le: $groups_migration_start}}",
    )
    problems = [str(p) for p in validate(kb_copy, rules_copy)]
    assert any("compares with 'groups_migration_start' to the day" in p for p in problems), problems


def test_validate_day_without_year_given_a_year_reports_file_and_line(kb_copy: Path) -> None:
    # "tot 30/9" in the update of 17 October 2023 names no year: 30 September 2022 is an invention.
    target = kb_copy / "nso-flanders-faq-nl.yml"
    _edit(target, "        within: [2022-05-31, 2023-10-17]\n", "")
    line = _edit(target, 'date: "--09-30"', "date: 2022-09-30")
    message = "is more precise than its source words '30/9' (day_no_year"
    hits = [p for p in validate(kb_copy) if p.path == target and message in p.message]
    assert hits and any(abs(p.line - line) <= 3 for p in hits), [str(p) for p in validate(kb_copy)]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # an address the source text never gives
        (
            "etwinning-howto-en.yml",
            "  seed: 002_",
            "  url: https://school-education.ec.europa.eu/en/etwinning\n  seed: 002_",
            "gives no such address",
        ),
        # a pre-launch document must name the event it was written before, a current one must not
        ("ec-faq-en.yml", "describes: pre-launch", "describes: current platform", "document: Value error"),
        ("etwinning-howto-en.yml", "describes: current platform", "describes: pre-launch", "document: Value"),
        ("etwinning-howto-en.yml", "describes: current platform", "describes: current", "document.describes"),
    ],
)
def test_validate_document_url_or_describes_not_as_its_source_reports_file_and_line(
    kb_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    _assert_reported_near_edit(kb_copy, file, old, new, message, within=9)


@pytest.mark.parametrize(
    ("folder", "file", "old", "new", "message"),
    [
        # a rule fact giving "before July 2022" its own day instead of naming the KB's key date
        (
            "rules",
            "facts.yml",
            "    date: toolkit_result_pdfs_download_deadline\n    source: {entry: ec-en-toolkit-self-assessment-pdfs",
            "    value: 2022-06-30\n    source: {entry: ec-en-toolkit-self-assessment-pdfs",
            "fact toolkit_not_migrated: restates a date (2022-06-30)",
        ),
        # a rule text writing out a date of its own
        (
            "rules",
            "seg_migration.yml",
            "by {seg_reviewed_contact_deadline},",
            "by 15 May 2022,",
            "restates a date ('15 May 2022')",
        ),
        # "v maju 2022" stored as 1 May 2022
        (
            "kb",
            "ec-faq-sl.yml",
            'date: 2022-05\n        says: "v maju 2022"',
            'date: 2022-05-01\n        says: "v maju 2022"',
            "is more precise than its source words 'maju 2022' (month",
        ),
    ],
)
def test_validate_cli_rejects_a_rule_date_or_a_date_finer_than_its_source(
    kb_copy: Path, rules_copy: Path, folder: str, file: str, old: str, new: str, message: str
) -> None:
    target = (rules_copy if folder == "rules" else kb_copy) / file
    line = _edit(target, old, new)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "knowledge",
            "validate",
            "--kb-dir",
            str(kb_copy),
            "--rules-dir",
            str(rules_copy),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    hits = [row for row in done.stderr.splitlines() if row.startswith(f"{target}:") and message in row]
    assert hits, done.stderr
    assert any(abs(int(row[len(f"{target}:") :].split(":")[0]) - line) <= 6 for row in hits), hits
    assert "knowledge: 1 problem(s)" in done.stderr
