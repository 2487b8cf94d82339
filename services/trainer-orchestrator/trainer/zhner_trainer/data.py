"""Corpora: JSON Lines ``{"id", "text", "entities": [{"start", "end", "type", "text"}]}``.

Offsets are code-point indices (Python ``str`` indices), ``end`` exclusive. Reading validates
every line and raises DataError with the file and 1-based line number.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError
from .text import split_for_model


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end, type), code points
    # Entity types this sentence was never annotated for (e.g. a replayed news sentence and a type
    # added after its corpus was made): its O characters may be one of them, so training
    # marginalises over those labels there instead of teaching "not a TIME" (partial-label CRF).
    unannotated: tuple[str, ...] = ()


def read_jsonl(path: Path, limit: int = 0) -> list[Example]:
    if not path.is_file():
        raise DataError(str(path), "file not found (set paths.data_root or NER_DATA_ROOT)")
    out: list[Example] = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                text = d["text"]
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
                spans = []
                for e in d.get("entities") or []:
                    s, t_end, typ = int(e["start"]), int(e["end"]), str(e["type"])
                    if not (0 <= s < t_end <= len(text)):
                        raise ValueError(f"entity ({s}, {t_end}) outside the text ({len(text)} code points)")
                    if "text" in e and text[s:t_end] != e["text"]:
                        raise ValueError(f"entity text {e['text']!r} != text[{s}:{t_end}] {text[s:t_end]!r}")
                    spans.append((s, t_end, typ))
                spans.sort()
                for (a0, a1, _), (b0, _, _) in zip(spans, spans[1:]):
                    if b0 < a1:
                        raise ValueError("overlapping entities")
                unannotated = d.get("unannotated_types") or []
                if not isinstance(unannotated, list) or not all(isinstance(t, str) for t in unannotated):
                    raise TypeError("unannotated_types is not a list of type names")
                out.append(Example(str(d.get("id", f"{path.name}-{lineno}")), text, tuple(spans), tuple(sorted(set(unannotated)))))
            except (ValueError, KeyError, TypeError) as e:
                raise DataError(str(path), f"bad line: {e}", lineno) from None
            if limit and len(out) >= limit:
                break
    return out


def split_examples(examples: list[Example], max_length: int) -> list[Example]:
    """Cut texts longer than max_length like the runtime does; entities crossing a cut are dropped."""
    out = []
    for ex in examples:
        if len(ex.text) <= max_length:
            out.append(ex)
            continue
        for k, (s, e) in enumerate(split_for_model(ex.text, max_length)):
            spans = tuple((a - s, b - s, t) for a, b, t in ex.spans if a >= s and b <= e)
            out.append(Example(f"{ex.id}#{k}", ex.text[s:e], spans, ex.unannotated))
    return out


def file_record(name: str, path: Path, examples: list[Example], repeat: int = 1, limit: int = 0) -> dict:
    """One entry of the manifest's data block: file, sha256, counts."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    counts: dict[str, int] = {}
    for ex in examples:
        for _, _, t in ex.spans:
            counts[t] = counts.get(t, 0) + 1
    return {"file": name, "sha256": h.hexdigest(), "sentences": len(examples),
            "chars": sum(len(ex.text) for ex in examples), "entities": dict(sorted(counts.items())),
            "repeat": repeat, "limit": limit}


def dedup_key(text: str) -> str:
    """The dedup text of @zhner/kit normalizeForDedup: full-width ASCII -> ASCII, U+3000 -> space,
    lower case, runs of blanks -> one space, trimmed (a held-out text is never trained on under
    another id)."""
    out = []
    for ch in text:
        cp = ord(ch)
        if 0xFF01 <= cp <= 0xFF5E:
            ch = chr(cp - 0xFEE0)
        elif cp == 0x3000:
            ch = " "
        out.append(ch)
    return " ".join("".join(out).lower().split())


def read_id_file(path: Path) -> set[str]:
    """An id file: one sentence id per line; blank lines and ``#`` comments are skipped."""
    if not path.is_file():
        raise DataError(str(path), "id file not found")
    with open(path, encoding="utf-8") as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


# The ids of every sentence a model was trained on (its ancestors' included), per corpus file as
# recorded in the manifest's data block: gzip text, "#file <name>" then one id per line.
DATA_IDS_FILE = "training_data.ids.gz"


def write_data_ids(path: Path, ids: dict[str, list[str]]) -> None:
    import gzip
    buf = "#zhner-data-ids v1\n" + "".join(f"#file {name}\n" + "".join(i + "\n" for i in lst) for name, lst in ids.items())
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.encode("utf-8"))


def read_data_ids(path: Path) -> dict[str, list[str]]:
    import gzip
    out: dict[str, list[str]] = {}
    cur = None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#file "):
                cur = out.setdefault(line[6:], [])
            elif line and not line.startswith("#") and cur is not None:
                cur.append(line)
    return out
