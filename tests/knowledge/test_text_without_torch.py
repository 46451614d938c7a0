"""BM25 tokenisation keeps torch out of the process (issue 17: the API under its memory budget)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.unit


def test_tokenising_loads_no_torch_and_torch_still_imports_afterwards() -> None:
    script = (
        "import sys\n"
        "from knowledge.text import tokens\n"
        "assert tokens('Will my groups migrate?', 'en') == ['group', 'migrate']\n"
        "assert tokens('Ali bodo skupine prenesene?', 'sl')\n"
        "print('torch' in sys.modules)\n"
        "import torch\n"
        "print(torch.tensor([1]).sum().item())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert out == ["False", "1"]
