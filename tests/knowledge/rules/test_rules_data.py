"""The rule data: every fact is sourced from a real KB entry of a known document, every fact
is used, the country table covers the eTwinning countries."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from knowledge.rules.conditions import condition_names
from knowledge.rules.loader import DATA_DIR, RULE_FILES, check_rulebook, load_rulebook
from knowledge.rules.parsing import parse_country
from knowledge.rules.schema import ENTRY_PREFIXES, placeholders

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
EEA_AND_PROGRAMME = ["IS", "LI", "NO", "MK", "RS", "TR"]
ETWINNING_PARTNERS = ["UA", "GE", "AM", "AZ", "MD", "TN", "JO", "LB", "AL", "BA", "ME"]


def test_rulebook_is_consistent() -> None:
    assert check_rulebook(load_rulebook()) == []


def test_every_fact_cites_an_entry_whose_topic_exists() -> None:
    topics = yaml.safe_load((ROOT / "knowledge" / "topics.yml").read_text(encoding="utf-8"))
    for fact_id, fact in load_rulebook().facts.items():
        prefix = next(
            p for p in sorted(ENTRY_PREFIXES, key=len, reverse=True) if fact.source.entry.startswith(p + "-")
        )
        topic = fact.source.entry.removeprefix(prefix + "-")
        assert topic in topics, f"{fact_id}: {fact.source.entry} names unknown topic {topic!r}"
        assert ENTRY_PREFIXES[prefix] == fact.source.document


def test_documents_are_the_five_sources() -> None:
    documents = load_rulebook().documents
    assert set(documents) == set(ENTRY_PREFIXES.values())
    assert documents["nso-flanders-faq-nl"].date == dt.date(2023, 10, 17)
    assert documents["ec-faq-sl"].date == dt.date(2022, 2, 25)


def test_every_fact_is_used_by_a_rule() -> None:
    book = load_rulebook()
    used: set[str] = set()
    for rule in book.rules.values():
        used |= {f for o in rule.outcomes() for f in (*o.reasons, *o.deadlines)} | placeholders_of(rule)
        used |= {c.reason for c in rule.criteria} | ({rule.tense_pivot} if rule.tense_pivot else set())
        for condition in [c.when for c in rule.cases if c.when] + [c.holds for c in rule.criteria]:
            used |= condition_names(condition)[1]
    for fact in book.facts.values():
        used |= placeholders(fact.says)
    assert set(book.facts) - used == set()


def placeholders_of(rule) -> set[str]:  # type: ignore[no-untyped-def]
    names: set[str] = set()
    for outcome in rule.outcomes():
        names |= placeholders(outcome.text)
    return names


def test_every_data_file_is_loaded() -> None:
    support = {"facts.yml", "countries.yml", "parsing.yml", "messages.yml"}
    assert {p.name for p in DATA_DIR.glob("*.yml")} == support | set(RULE_FILES)


def test_country_table_covers_eu_eea_programme_and_partner_countries() -> None:
    codes = set(load_rulebook().lexicon.by_code)
    assert set(EU + EEA_AND_PROGRAMME + ETWINNING_PARTNERS) <= codes


def test_every_country_name_parses_back_to_its_code() -> None:
    lexicon = load_rulebook().lexicon
    for code, country in lexicon.by_code.items():
        for name in (country.code, country.en, country.nl, country.sl, *country.aliases):
            assert parse_country(name, lexicon) == code


def test_facts_agree_with_kb_when_present() -> None:
    kb_files = sorted((ROOT / "knowledge" / "kb").glob("*.yml"))
    if not kb_files:
        pytest.skip("knowledge/kb/*.yml not written yet")
    entries: set[str] = set()
    documents: dict[str, object] = {}
    for path in kb_files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        documents[data["document"]["id"]] = data["document"].get("date")
        entries |= {entry["id"] for entry in data["entries"]}
    book = load_rulebook()
    cited = {fact.source.entry for fact in book.facts.values()}
    assert cited - entries == set(), "facts cite KB entries that do not exist"
    for doc_id, meta in book.documents.items():
        if doc_id in documents:
            assert meta.date == documents[doc_id], doc_id


def test_every_fact_quotes_its_source_document_verbatim() -> None:
    from knowledge.date_audit import normalize, seed_text
    from knowledge.loader import load_kb
    from knowledge.rules.loader import KB_DIR

    documents = load_kb(KB_DIR).documents
    for fact_id, fact in load_rulebook().facts.items():
        seed = seed_text(documents[fact.source.document])
        if seed is None:
            pytest.skip("the source documents (shared/seeds) are not on this machine")
        assert normalize(fact.quote) in seed, fact_id


def test_dated_facts_take_their_date_from_the_kb_entry_they_cite() -> None:
    book = load_rulebook()
    dated = {fid for fid, fact in book.facts.items() if fact.date}
    assert dated == set(book.key_dates)
    for fid in dated:
        entry = book.entries[book.facts[fid].source.entry]
        assert book.key_dates[fid] in entry.dates


def test_countries_no_source_covers_are_the_other_group() -> None:
    # national_quality_label answers "uncertain" for these; keep its list and countries.yml in step.
    others = sorted(code for code, c in load_rulebook().lexicon.by_code.items() if c.group == "other")
    text = (DATA_DIR / "quality_labels.yml").read_text(encoding="utf-8")
    assert f"one_of: [{', '.join(others)}]" in text


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        # to the day against "in the second semester of 2022"
        (
            "- when: {last_activity: {le: $groups_window_end}}",
            "- when: {last_activity: {le: $groups_migration_start}}",
            "compares with 'groups_migration_start' to the day",
        ),
        # a period operator against a threshold
        (
            "holds: {active_teachers: {ge: $school_min_teachers}}",
            "holds: {active_teachers: {within: $school_min_teachers}}",
            "'within' needs a dated fact",
        ),
        # a condition on a fact whose quote the case does not cite
        (
            "reasons: [reopen_multiannual_sl, reopen_multiannual_ec, twinspace_running_nl]",
            "reasons: [reopen_multiannual_ec, twinspace_running_nl]",
            "which its case's reasons do not cite",
        ),
    ],
)
def test_rulebook_refuses_comparisons_finer_than_the_source(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    import shutil

    from knowledge.rules.errors import RuleDataError

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    for path in data.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            break
    else:
        raise AssertionError(f"not found: {old}")
    with pytest.raises(RuleDataError, match="inconsistent") as caught:
        load_rulebook(data)
    assert problem in str(caught.value)


def test_every_rule_case_rests_on_a_fact_quoting_its_source() -> None:
    # Deliverable 4 of issue 15: each condition and verdict of a rule file names the facts it rests
    # on, and each fact keeps the sentence it quotes (checked verbatim against the document above).
    book = load_rulebook()
    unsourced = [
        (name, i, case.verdict)
        for name, rule in book.rules.items()
        for i, case in enumerate(rule.cases)
        if not case.reasons or not all(book.facts[r].quote for r in case.reasons)
    ]
    unsourced += [
        (name, criterion.id, "criterion")
        for name, rule in book.rules.items()
        for criterion in rule.criteria
        if not book.facts[criterion.reason].quote
    ]
    assert unsourced == []
