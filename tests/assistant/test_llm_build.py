"""The installed llama.cpp runtime is portable: no instruction beyond the x86-64 baseline we build
for (AVX2, FMA, F16C, BMI2), and a real multi-token prompt completes in a child process.

A runtime compiled with -march=native on a CPU that advertises AMX crashes at the first prompt of
two or more tokens wherever AMX is not enabled (a VM, another CPU); a one-token prompt works,
which is why the prompt below is long and the disassembly is checked as well.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Mnemonics and operands that only exist beyond the baseline: AMX tiles, AVX-512 (EVEX: zmm,
# the upper 16 vector registers, mask registers), AVX-VNNI and the BF16 conversions.
_AMX = re.compile(
    r"\b(ldtilecfg|sttilecfg|tileloadd\w*|tilestored|tilerelease|tilezero|tdp\w+|tcmm\w+)\b"
)
_BEYOND = re.compile(
    r"%zmm\d+|%[xy]mm(1[6-9]|2\d|3[01])\b|%k[1-7]\b|\{%k[0-7]\}"
    r"|\b(vpdpbusds?|vpdpwssds?|vcvtne2ps2bf16|vcvtneps2bf16|vdpbf16ps)\b"
)
NATIVE = os.environ.get("KIZUNA_LLAMA_BUILD") == "native"


def _runtime_libraries() -> list[Path]:
    import llama_cpp

    folder = Path(llama_cpp.__file__).parent / "lib"
    libs = sorted(p for p in folder.glob("lib*.so*") if p.is_file())
    assert libs, f"no shared libraries in {folder}"
    return libs


@pytest.mark.slow
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the baseline is x86-64's")
@pytest.mark.skipif(NATIVE, reason="LLAMA_NATIVE=1: a build for this CPU was asked for")
def test_installed_runtime_has_no_instruction_beyond_the_baseline() -> None:
    objdump = shutil.which("objdump")
    assert objdump, "objdump (binutils) is needed to check the LLM runtime"
    found: dict[str, list[str]] = {}
    for lib in _runtime_libraries():
        asm = subprocess.run(
            [objdump, "-d", "--no-show-raw-insn", str(lib)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        bad = [line.strip() for line in asm.splitlines() if _AMX.search(line)]
        bad += [line.strip() for line in asm.splitlines() if _BEYOND.search(line)]
        if bad:
            found[lib.name] = bad[:5]
    assert not found, (
        "the LLM runtime was compiled beyond the portable baseline (GGML_NATIVE?); "
        f"rebuild with `make install` (LLAMA_NATIVE=0): {found}"
    )


def test_the_check_recognises_amx_and_avx512() -> None:
    # The patterns must match what objdump prints for the instructions we refuse.
    assert _AMX.search("  4a: ldtilecfg (%rsi)")
    assert _AMX.search("  52: tileloadd (%rax,%rcx,1),%tmm0")
    assert _AMX.search("  60: tdpbssd %tmm2,%tmm1,%tmm0")
    assert _BEYOND.search("  10: vmovups (%rdi),%zmm0")
    assert _BEYOND.search("  18: vaddps %ymm17,%ymm1,%ymm2")
    assert _BEYOND.search("  20: vmovups %ymm0,(%rdi){%k1}")
    assert _BEYOND.search("  28: {vex} vpdpbusd %ymm1,%ymm2,%ymm3")
    assert not _BEYOND.search("  30: vfmadd231ps %ymm1,%ymm2,%ymm15")
    assert not _AMX.search("  38: vpmaddubsw %ymm1,%ymm2,%ymm3")


_PROMPT_SCRIPT = """
import sys
from llama_cpp import Llama
llama = Llama(model_path=sys.argv[1], n_ctx=512, n_threads=2, verbose=False, seed=0)
prompt = "List three colours of the rainbow, separated by commas, in English:"
assert len(llama.tokenize(prompt.encode())) > 8
out = llama(prompt, max_tokens=12, temperature=0.0)
print(out["choices"][0]["text"].strip() or "<empty>")
"""


@pytest.mark.integration
def test_a_multi_token_prompt_completes_in_a_child_process(model_path: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _PROMPT_SCRIPT, model_path],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, (
        f"the LLM runtime died on a multi-token prompt (return code {proc.returncode}, "
        f"negative = signal): {proc.stderr[-1500:]}"
    )
    assert proc.stdout.strip() not in ("", "<empty>")
