"""A Latin-script copy of the encoder's tokenizer, for the ONNX engines (issue 17: memory).

The encoder's Unigram vocabulary has 250,002 pieces in every script; the Rust tokenizer builds a
trie over all of them, ~285 MB resident in the API, more than the int8 model itself. English,
Dutch and Slovenian text can only ever match pieces whose letters are Latin (a piece matches a
substring of the input), so the other scripts' pieces are dead weight here: keeping pieces with
no non-Latin letter (digits, punctuation, symbols and emoji stay) leaves 116k pieces and ~108 MB.

Token ids must stay those the model was trained with: the pruned vocabulary keeps the original
order, and ``ids.npy`` maps each pruned id back to the original one. Set-up writes both files and
refuses them unless every check text tokenises to exactly the same ids as the full tokenizer.
Text in another script gets ``<unk>`` for those letters instead of their pieces; the assistant
serves EN/NL/SL only.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

TOKENIZER_FILE = "tokenizer-latin.json"
IDS_FILE = "tokenizer-latin-ids.npy"


def _latin(piece: str) -> bool:
    """True when every letter of ``piece`` is Latin (ASCII, the word marker and non-letters pass)."""
    for char in piece:
        if char.isascii() or not unicodedata.category(char).startswith("L"):
            continue
        if not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True


def write(model_dir: Path, out_dir: Path) -> int:
    """Write the pruned tokenizer and its id map into ``out_dir``; returns the pieces kept."""
    content = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    model = content["model"]
    if model.get("type") != "Unigram":
        raise ValueError(f"{model_dir}/tokenizer.json: a Unigram model was expected, not {model.get('type')}")
    keep = [i for i, (piece, _score) in enumerate(model["vocab"]) if _latin(piece)]
    position = {original: new for new, original in enumerate(keep)}
    model["vocab"] = [model["vocab"][i] for i in keep]
    if model.get("unk_id") is not None:
        model["unk_id"] = position[model["unk_id"]]
    content["added_tokens"] = [
        {**token, "id": position[token["id"]]} for token in content["added_tokens"] if token["id"] in position
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / TOKENIZER_FILE).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    np.save(out_dir / IDS_FILE, np.asarray(keep, dtype=np.int64))
    return len(keep)


def load(out_dir: Path) -> tuple[Tokenizer, np.ndarray] | None:
    """The pruned tokenizer and its id map, or None when set-up has not written them."""
    from tokenizers import Tokenizer

    path = out_dir / TOKENIZER_FILE
    if not path.exists() or not (out_dir / IDS_FILE).exists():
        return None
    return Tokenizer.from_file(str(path)), np.load(out_dir / IDS_FILE)


def disagreements(model_dir: Path, out_dir: Path, texts: Iterable[str]) -> list[str]:
    """The texts whose ids differ between the full tokenizer and the pruned one (mapped back)."""
    from tokenizers import Tokenizer

    full = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    loaded = load(out_dir)
    if loaded is None:
        raise FileNotFoundError(f"{out_dir / TOKENIZER_FILE} is missing")
    pruned, ids = loaded
    return [text for text in texts if full.encode(text).ids != ids[pruned.encode(text).ids].tolist()]
