"""Coerce raw input values (chat slots, JSON, CLI strings) into the types a rule expects.

Teachers type dates the European way (15.6.2021, 15. 6. 2021), answer "ja" or "da", and name
countries in their own language, so every input goes through here before a rule sees it. The
word lists (booleans, months, choices, countries) are data in data/parsing.yml and
data/countries.yml; this module only knows the shapes.

Inputs come from strangers (the public API, chat messages), so every reader is linear in the
input's length, sizes are capped before any parsing (``MAX_INPUT_CHARS``, ``MAX_LIST_ITEMS``) and
an error message quotes at most ``SHOWN_CHARS`` of what was sent. Lists are split by hand, never
by a YAML parser (whose aliases can expand a few hundred bytes into gigabytes).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from knowledge.rules.errors import InvalidInputError
from knowledge.rules.schema import Country, InputSpec, ParsingFile

Value = dt.date | bool | int | float | str | list[str]
K = TypeVar("K")
N = TypeVar("N", int, float)

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_EUROPEAN = re.compile(r"^(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4})\.?$")
_TEXTUAL = re.compile(r"^(\d{1,2})\.?\s*([^\W\d_]+)\.?\s*(\d{4})\.?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_LIST_SEPARATORS = re.compile(r"[,;/]")
_CONNECTORS = frozenset({"and", "en", "in", "und", "&"})
_QUOTES = ("'", '"')

MAX_INPUT_CHARS = 500
"""Longest text accepted for one input (a list of every eTwinning country by name fits)."""
MAX_LIST_ITEMS = 50
"""Most items accepted in one list input."""
MAX_INT_BITS = 63
"""Whole numbers beyond a signed 64-bit integer are refused (no rule counts that far)."""
SHOWN_CHARS = 40
"""How much of a refused value an error message quotes."""
SCALAR_TYPES = (str, bool, int, float, dt.date)


def normalize(text: str) -> str:
    """Fold case, accents and punctuation so 'België', 'belgie' and 'BELGIË' compare equal.

    Args:
        text: Any user-typed word or name.

    Returns:
        Lower-case ASCII-folded words separated by single spaces.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", stripped.casefold()).replace("_", " ").split())


@dataclass(frozen=True)
class Lexicon:
    """Lookup tables built once from the YAML word lists."""

    booleans: Mapping[str, bool]
    months: Mapping[str, int]
    choices: Mapping[str, str]
    countries: Mapping[str, str]
    by_code: Mapping[str, Country]

    @classmethod
    def build(cls, words: ParsingFile, countries: list[Country]) -> Lexicon:
        """Index the word lists by their normalized form.

        Args:
            words: The content of data/parsing.yml.
            countries: The content of data/countries.yml.

        Returns:
            The lexicon.

        Raises:
            ValueError: If one spelling would mean two different things.
        """
        return cls(
            booleans=_index(words.booleans),
            months=_index(words.months),
            choices=_index({value: [value, *names] for value, names in words.choices.items()}),
            countries=_index({c.code: [c.code, c.en, c.nl, c.sl, *c.aliases] for c in countries}),
            by_code={c.code: c for c in countries},
        )

    def country(self, code: str) -> Country:
        """Return the country with ISO code ``code``."""
        return self.by_code[code]


def _index(groups: Mapping[K, list[str]]) -> dict[str, K]:
    index: dict[str, K] = {}
    for target, names in groups.items():
        for name in names:
            key = normalize(str(name))
            if index.get(key, target) != target:
                raise ValueError(f"{name!r} is ambiguous")
            index[key] = target
    return index


def is_missing(raw: object) -> bool:
    """Tell whether a raw value means 'not answered yet' (absent, None or blank)."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_value(spec: InputSpec, raw: object, lexicon: Lexicon) -> Value:
    """Coerce one raw input to the type ``spec`` asks for.

    Args:
        spec: The input's specification.
        raw: The value as received (string, number, bool, date, list).
        lexicon: Word tables for booleans, months, choices and countries.

    Returns:
        A ``date``, ``bool``, ``int``, ``float``, ISO country code, choice value or list of these.

    Raises:
        InvalidInputError: If the value is too long, of the wrong shape or cannot be read; it
            names the field, says why and carries the input's example.
    """
    try:
        check_size(raw)
        return _parse(spec, raw, lexicon)
    except (ValueError, TypeError) as err:
        raise InvalidInputError(spec.name, str(err), example=spec.example) from err


def check_size(raw: object) -> None:
    """Refuse a value too big to parse before any parsing starts.

    Args:
        raw: A raw input value.

    Raises:
        ValueError: If a text is longer than ``MAX_INPUT_CHARS``, a list has more than
            ``MAX_LIST_ITEMS`` items or a whole number is out of range.
        TypeError: If the value is not text, a number, yes/no, a date or a flat list of these.
    """
    if isinstance(raw, str):
        if len(raw) > MAX_INPUT_CHARS:
            raise ValueError(f"too long: {len(raw)} characters, at most {MAX_INPUT_CHARS}")
    elif isinstance(raw, (list, tuple)):
        if len(raw) > MAX_LIST_ITEMS:
            raise ValueError(f"too many items: {len(raw)}, at most {MAX_LIST_ITEMS}")
        for item in raw:
            if not isinstance(item, SCALAR_TYPES):
                raise TypeError(f"a list may hold only texts and numbers, not {type(item).__name__}")
            check_size(item)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        if raw.bit_length() > MAX_INT_BITS:
            raise ValueError("number too large")
    elif not isinstance(raw, SCALAR_TYPES):
        raise TypeError(f"must be text, a number, yes/no or a list, not {type(raw).__name__}")


def shown(raw: object) -> str:
    """The value as an error message quotes it: a repr cut to ``SHOWN_CHARS`` characters.

    Args:
        raw: Any raw input value.

    Returns:
        A short repr; lists show their first items, other objects only their type.
    """
    if isinstance(raw, (list, tuple)):
        head = ", ".join(_shown_scalar(item) for item in raw[:3])
        return f"[{head}{', …' if len(raw) > 3 else ''}]"
    return _shown_scalar(raw)


def _shown_scalar(raw: object) -> str:
    if isinstance(raw, str):
        return repr(raw) if len(raw) <= SHOWN_CHARS else f"{raw[:SHOWN_CHARS]!r}…"
    if isinstance(raw, int) and not isinstance(raw, bool) and raw.bit_length() > MAX_INT_BITS:
        return "<a very large number>"
    if raw is None or isinstance(raw, (bool, int, float, dt.date)):
        return repr(raw)
    return f"<{type(raw).__name__}>"


def _parse(spec: InputSpec, raw: object, lexicon: Lexicon) -> Value:
    choices = spec.choices or []
    parsers: dict[str, Callable[[], Value]] = {
        "date": lambda: parse_date(raw, lexicon),
        "bool": lambda: parse_bool(raw, lexicon),
        "int": lambda: _at_least(parse_int(raw), spec.minimum, raw),
        "number": lambda: _at_least(parse_number(raw), spec.minimum, raw),
        "country": lambda: parse_country(raw, lexicon),
        "country_list": lambda: _unique(
            [parse_country(i, lexicon) for i in split_list(raw, lexicon.countries)]
        ),
        "choice": lambda: parse_choice(raw, choices, lexicon),
        "choice_list": lambda: _unique(
            [parse_choice(i, choices, lexicon) for i in split_list(raw, lexicon.choices)]
        ),
    }
    return parsers[spec.type]()


def parse_date(raw: object, lexicon: Lexicon) -> dt.date:
    """Read a date written as ISO (2021-06-15), European (15.6.2021, 15/06/2021, 15. 6. 2021) or
    with a month name in EN/NL/SL (15 June 2021, 15 juni 2021, 15. junij 2021).

    Args:
        raw: A ``date``, ``datetime`` or string.
        lexicon: Gives the month names.

    Returns:
        The date.

    Raises:
        ValueError: ``not a date: '<raw>'`` for anything else, including impossible dates.
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = raw.strip() if isinstance(raw, str) else ""
    parts: tuple[int, int, int] | None = None
    if match := _ISO.match(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _EUROPEAN.match(text):
        parts = (int(match[4]), int(match[3]), int(match[1]))
    elif (match := _TEXTUAL.match(text)) and (month := lexicon.months.get(normalize(match[2]))):
        parts = (int(match[3]), month, int(match[1]))
    if parts is not None:
        try:
            return dt.date(*parts)
        except ValueError:
            pass
    raise ValueError(f"not a date: {shown(raw)}")


def parse_bool(raw: object, lexicon: Lexicon) -> bool:
    """Read yes/no in EN, NL or SL (yes/no, ja/nee, da/ne, true/false).

    Raises:
        ValueError: If the value is not a yes or a no.
    """
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and (value := lexicon.booleans.get(normalize(raw))) is not None:
        return value
    raise ValueError(f"not yes or no: {shown(raw)}")


def parse_int(raw: object) -> int:
    """Read a whole number (4, '4', 4.0).

    Raises:
        ValueError: If the value is not a whole number.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INTEGER.match(raw.strip()):
        return int(raw.strip())
    raise ValueError(f"not a whole number: {shown(raw)}")


def parse_number(raw: object) -> float:
    """Read a number, with a decimal point or a European decimal comma ('2,5').

    Raises:
        ValueError: If the value is not a finite number.
    """
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
        return float(raw)
    if isinstance(raw, str):
        text = raw.strip().replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw.strip()
        if _DECIMAL.match(text):
            return float(text)
    raise ValueError(f"not a number: {shown(raw)}")


def _at_least(value: N, minimum: float | None, raw: object) -> N:
    if minimum is not None and value < minimum:
        least = int(minimum) if float(minimum).is_integer() else minimum
        raise ValueError(f"must be at least {least}: {shown(raw)}")
    return value


def parse_country(raw: object, lexicon: Lexicon) -> str:
    """Read a country as ISO 3166 alpha-2 code or name in EN/NL/SL ('Belgium', 'België', 'Belgija').

    Returns:
        The ISO alpha-2 code.

    Raises:
        ValueError: If the value names no country in data/countries.yml.
    """
    if isinstance(raw, str) and (code := lexicon.countries.get(normalize(raw))):
        return code
    raise ValueError(f"not a known country: {shown(raw)}")


def parse_choice(raw: object, choices: list[str], lexicon: Lexicon) -> str:
    """Read one of ``choices``, also accepting the synonyms in data/parsing.yml ('leerling' = pupil).

    Raises:
        ValueError: If the value is none of the choices.
    """
    value = lexicon.choices.get(normalize(raw)) if isinstance(raw, str) else None
    if value in choices:
        return str(value)
    raise ValueError(f"not one of {', '.join(choices)}: {shown(raw)}")


def split_list(raw: object, known: Mapping[str, object]) -> list[object]:
    """Split a list given as a list, a bracketed list ('[BE, SI]') or a comma-separated string.

    A piece that is not a known word is split again on the words 'and'/'en'/'in'/'und' and on
    '&', so 'België en Slovenië' gives two countries while 'Bosnia and Herzegovina' stays one.
    Linear in the length of ``raw``: separators and words are found by single scans.

    Args:
        raw: A list/tuple or a string.
        known: Normalized words that must not be split further.

    Returns:
        The items (not yet coerced).

    Raises:
        TypeError: If the value is neither a list nor a string.
        ValueError: If a bracketed list is not closed or there are more than ``MAX_LIST_ITEMS``.
    """
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if not isinstance(raw, str):
        raise TypeError(f"not a list: {shown(raw)}")
    text = raw.strip()
    if text.startswith("["):
        if not text.endswith("]"):
            raise ValueError(f"not a list: {shown(raw)}")
        text = text[1:-1]
    items: list[object] = []
    for separated in _LIST_SEPARATORS.split(text):
        piece = _unquote(separated.strip())
        if not piece:
            continue
        if normalize(piece) in known:
            items.append(piece)
        else:
            items.extend(_split_connectors(piece))
    if len(items) > MAX_LIST_ITEMS:
        raise ValueError(f"too many items: {len(items)}, at most {MAX_LIST_ITEMS}")
    return items


def _unquote(piece: str) -> str:
    if len(piece) >= 2 and piece[0] == piece[-1] and piece[0] in _QUOTES:
        return piece[1:-1].strip()
    return piece


def _split_connectors(piece: str) -> list[str]:
    """'Belgium and Slovenia' -> ['Belgium', 'Slovenia']; '&' splits with or without spaces."""
    parts: list[str] = []
    words: list[str] = []
    for word in piece.replace("&", " & ").split():
        if word.casefold() in _CONNECTORS:
            if words:
                parts.append(" ".join(words))
            words = []
        else:
            words.append(word)
    if words:
        parts.append(" ".join(words))
    return parts


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
