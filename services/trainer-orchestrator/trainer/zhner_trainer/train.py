"""Training: ``run_training(cfg, out_dir)``; the loop itself is the generator ``train_while_improving``.

stdout carries only machine lines (the orchestrator parses them); logs go to stderr:
  PROGRESS {"epoch":1,"step":1340,"loss":2.1,"dev":{"precision":..,"recall":..,"f1":..},"elapsed_s":81.2,"best_f1":..}
  RESULT {"out_dir":..,"version":..,"best_epoch":..,"dev":{...},"extra_dev":{...},...}
Scores are fractions in 0..1 (strict exact span + type). ``dev`` is the selection score: F1 on
corpora.dev (training.selection = "dev") or the mean P/R/F1 over corpora.dev_sets, each scored with
its own convention ("mean_dev_sets"; the per-set scores go to train_log.jsonl and stderr).

Every epoch also writes ``resume.pt`` (weights, optimizer, step, RNG states) into the output
directory; ``train --resume`` continues a killed run after its last finished epoch.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch

from .averaging import WeightAverage
from .batching import batch_order, collate, encode, unk_dropout
from .checkpoint import load_featurizer, load_weights, read_checkpoint, save_weights, sha256_file
from .config import Config
from .data import (DATA_IDS_FILE, dedup_key, file_record, read_data_ids, read_id_file, read_jsonl, split_examples,
                   write_data_ids)
from .devsets import convention_index, load_dev_sets, mean_over_sets, score_dev_sets
from .errors import ConfigError
from .evaluate import evaluate
from .metrics import short_scores as _short
from .features import Featurizer, Lexicon
from .models import build_model
from .tagging import labels_for


def log(msg: str) -> None:
    print(f"[trainer] {msg}", file=sys.stderr, flush=True)


def emit(kind: str, payload: dict) -> None:
    print(f"{kind} " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")), flush=True)


def seed_everything(seed: int, device: str) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if device == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.cuda.manual_seed_all(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def pick_device(name: str) -> str:
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("system.device", "cuda requested but torch sees no GPU")
    return name


def find_lexicon_dict(spec: str, cfg: Config) -> Path:
    """``"jieba"`` = the dict.txt of the installed jieba package (found without importing it)."""
    if spec == "jieba":
        import importlib.util
        s = importlib.util.find_spec("jieba")
        if s is None or not s.origin:
            raise ConfigError("paths.lexicon_dict", "\"jieba\" but the jieba package is not installed; give a dict.txt path")
        return Path(s.origin).parent / "dict.txt"
    p = cfg.resolve_path(spec)
    if not p.is_file():
        raise ConfigError("paths.lexicon_dict", f"{p} not found")
    return p


def make_optimizer(model, tcfg: dict):
    head, crf, enc = [], [], []
    for name, p in model.named_parameters():
        (crf if name.startswith("crf.") else head if name.startswith("classifier.") else enc).append(p)
    lr = tcfg["learning_rate"]
    groups = [{"params": enc, "lr": lr * tcfg["encoder_lr_multiplier"]},
              {"params": head, "lr": lr}, {"params": crf, "lr": lr * tcfg["crf_lr_multiplier"]}]
    for g in groups:
        g["base_lr"] = g["lr"]
    kind = tcfg["optimizer"]
    if kind == "adam":
        return torch.optim.Adam(groups, weight_decay=tcfg["weight_decay"])
    if kind == "adamw":
        return torch.optim.AdamW(groups, weight_decay=tcfg["weight_decay"])
    return torch.optim.SGD(groups, momentum=0.9, weight_decay=tcfg["weight_decay"])


def train_while_improving(model, optimizer, train_data, evaluate_fn, tcfg: dict, rng, device, on_best,
                          on_epoch_end=None, start: dict | None = None):
    """Yields one dict per epoch: epoch, step, loss, dev, elapsed_s, best_f1, is_best.

    Stops after ``epochs``, after ``patience`` epochs without a better dev F1 (0 = never), when
    ``max_steps`` (0 = no limit) or ``max_time_s`` (0 = no limit) is reached (the partial epoch
    is evaluated). ``on_best(epoch, dev)`` is called on every new best dev F1;
    ``on_epoch_end(state)`` after every epoch, once the consumer has taken its dict, with {epoch,
    step, best, bad, elapsed_s, gen_state} (what ``start`` takes back to resume after that epoch).
    """
    start = start or {}
    t0 = time.time() - start.get("elapsed_s", 0.0)
    step, best, bad = start.get("step", 0), start.get("best", -1.0), start.get("bad", 0)
    lengths = [len(x) for x in train_data]
    # training.weight_average (0 = off): scored and saved with the averaged weights (its state travels in resume.pt)
    ema = WeightAverage(model, tcfg["weight_average"], start.get("ema")) if tcfg["weight_average"] else None
    gen = torch.Generator()  # the <unk> dropout draws (its state travels in resume.pt)
    if start.get("gen_state") is not None:
        gen.set_state(start["gen_state"])
    else:
        gen.manual_seed(int(rng.integers(1 << 62)))
    for epoch in range(start.get("epoch", 0) + 1, tcfg["epochs"] + 1):
        model.train()
        total, count, stop = 0.0, 0, False
        decay = 1.0 / (1.0 + tcfg["lr_decay"] * (epoch - 1))
        for idx in batch_order(lengths, tcfg["batch_size"], tcfg["bucket_batches"], rng):
            batch = collate([train_data[i] for i in idx], model.input_names, device)
            if tcfg["unk_dropout"]:
                unk_dropout(batch, tcfg["unk_dropout"], gen)
            warm = min(1.0, (step + 1) / tcfg["warmup_steps"]) if tcfg["warmup_steps"] else 1.0
            for g in optimizer.param_groups:
                g["lr"] = g["base_lr"] * decay * warm
            emissions, _ = model(**{n: batch[n] for n in model.input_names})
            loss = model.crf.nll(emissions.float(), batch["tags"], batch["attention_mask"].bool(), batch.get("allowed"))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if tcfg["grad_clip"]:
                torch.nn.utils.clip_grad_norm_(model.parameters(), tcfg["grad_clip"])
            optimizer.step()
            if ema is not None:
                ema.update()
            step += 1
            total += float(loss) * len(idx)
            count += len(idx)
            if (tcfg["max_steps"] and step >= tcfg["max_steps"]) or (tcfg["max_time_s"] and time.time() - t0 >= tcfg["max_time_s"]):
                stop = True
                break
        with ema.applied(model) if ema is not None else nullcontext():
            dev = evaluate_fn()
            is_best = dev["f1"] > best or bool(tcfg.get("_keep_last"))
            if is_best:
                best, bad = dev["f1"], 0
                on_best(epoch, dev)
            else:
                bad += 1
        info = {"epoch": epoch, "step": step, "loss": total / max(count, 1), "dev": dev,
                "elapsed_s": round(time.time() - t0, 2), "best_f1": best, "is_best": is_best}
        yield info
        if on_epoch_end is not None:  # after the consumer has logged the epoch
            on_epoch_end({"epoch": epoch, "step": step, "best": best, "bad": bad, "elapsed_s": time.time() - t0,
                          "gen_state": gen.get_state(), "ema": ema.avg if ema is not None else None})
        if stop or (tcfg["patience"] and bad >= tcfg["patience"]):
            break


def _display(cfg: Config, name: str) -> str:
    """A corpus path as recorded in manifests: relative to paths.data_root when under it."""
    root = cfg["paths"]["data_root"].rstrip("/") + "/"
    return "${paths.data_root}/" + name[len(root):] if name.startswith(root) else name


def _load_corpora(cfg: Config, max_length: int, conventions: list[str], default_convention: str):
    """Training examples (cut to max_length; held-out ids and dev texts removed) with their
    convention index, the early-stopping dev set, the extra dev sets, the multi-domain dev sets
    ({name: (examples, convention index)}), the manifest data records and the trained ids."""
    c = cfg["corpora"]
    repeats = c["train_repeat"] or [1] * len(c["train"])

    def conv_index(name: str, key: str) -> int:
        return convention_index(cfg, conventions, default_convention, name, key)

    train_convs = c["train_conventions"] or [""] * len(c["train"])
    dev = read_jsonl(cfg.resolve_path(c["dev"]), c["dev_limit"])
    records = []
    extra, extra_path = {}, {}
    for name in c["extra_dev"]:
        extra[_display(cfg, name)] = read_jsonl(cfg.resolve_path(name), c["dev_limit"])
        extra_path[_display(cfg, name)] = cfg.resolve_path(name)
    dev_sets = load_dev_sets(cfg, conventions, default_convention)
    # never train on a held-out sentence: listed ids, and any text of an extra dev set or of a
    # selection dev set (dedup key). Not corpora.dev's: fine-tunes of the orchestrator and of the
    # simulation may pass labelled training documents as their dev file on purpose.
    excluded = set()
    for f in c["exclude_ids"]:
        excluded |= read_id_file(cfg.resolve_path(f))
    dev_texts = {dedup_key(e.text) for exs in extra.values() for e in exs}
    dev_texts |= {dedup_key(e.text) for exs, _, _ in dev_sets.values() for e in exs}
    train, conv_of, trained_ids = [], [], {}
    for i, (name, rep) in enumerate(zip(c["train"], repeats)):
        exs = read_jsonl(cfg.resolve_path(name), c["train_limit"])
        kept = [e for e in exs if e.id not in excluded and dedup_key(e.text) not in dev_texts]
        rec = file_record(_display(cfg, name), cfg.resolve_path(name), kept, rep, c["train_limit"])
        rec["role"] = "train"
        rec["excluded"] = len(exs) - len(kept)
        ci = conv_index(train_convs[i], f"corpora.train_conventions[{i}]")
        if conventions:
            rec["convention"] = conventions[ci]
        records.append(rec)
        trained_ids.setdefault(_display(cfg, name), []).extend(e.id for e in kept)
        if rec["excluded"]:
            log(f"{name}: {rec['excluded']} sentences held out (exclude_ids / dev texts), {len(kept)} trained")
        for e in split_examples(kept, max_length) * rep:
            train.append(e)
            conv_of.append(ci)
    records.append({**file_record(_display(cfg, c["dev"]), cfg.resolve_path(c["dev"]), dev, 1, c["dev_limit"]), "role": "dev"})
    for name, exs in extra.items():
        records.append({**file_record(name, extra_path[name], exs, 1, c["dev_limit"]), "role": "extra_dev"})
    for name, (exs, ci, d) in dev_sets.items():
        rec = {**file_record(_display(cfg, d["file"]), cfg.resolve_path(d["file"]), exs, 1, c["dev_limit"]),
               "role": "dev_set", "name": name, "ids": d["ids"] or None}
        if conventions:
            rec["convention"] = conventions[ci]
        records.append(rec)
    return train, conv_of, dev, extra, dev_sets, records, trained_ids


def _adapt_labels(state: dict, old: list[str], new: list[str]) -> dict:
    """Fine-tuning with new entity types: copy rows of known labels, zero-init the others."""
    if old == new:
        return state
    pos = [old.index(l) if l in old else -1 for l in new]
    out = dict(state)
    W, b = state["classifier.weight"], state["classifier.bias"]
    T, s, e = state["crf.transitions"], state["crf.start"], state["crf.end"]
    L, heads = len(new), W.size(0) // len(old)  # bilstm_crf.v2: one head of len(old) rows per convention
    nW, nb = torch.zeros(heads * L, W.size(1)), torch.zeros(heads * L)
    nT, ns, ne = torch.zeros(L, L), torch.zeros(L), torch.zeros(L)
    for i, pi in enumerate(pos):
        if pi < 0:
            continue
        for h in range(heads):
            nW[h * L + i], nb[h * L + i] = W[h * len(old) + pi], b[h * len(old) + pi]
        ns[i], ne[i] = s[pi], e[pi]
        for j, pj in enumerate(pos):
            if pj >= 0:
                nT[i, j] = T[pi, pj]
    out.update({"classifier.weight": nW, "classifier.bias": nb, "crf.transitions": nT, "crf.start": ns, "crf.end": ne})
    return out


def run_training(cfg: Config, out_dir: Path, resume: bool = False) -> dict:
    """Train (or fine-tune when paths.init_from is set), write the checkpoint into ``out_dir``,
    export when export.onnx; returns the RESULT payload. ``resume``: continue after the last
    finished epoch of an earlier run of the same config into ``out_dir`` (its resume.pt)."""
    t_start = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    device = pick_device(cfg["system"]["device"])
    threads = cfg["system"]["threads"] or os.cpu_count() or 1
    torch.set_num_threads(threads)
    seed_everything(cfg["system"]["seed"], device)
    tcfg = cfg["training"]

    parent = None
    init_from = cfg["paths"]["init_from"]
    if init_from:
        pdir = cfg.resolve_path(init_from)
        pcfg, parent = read_checkpoint(pdir)
        if (pdir / "manifest.json").is_file():
            parent["version"] = json.loads((pdir / "manifest.json").read_text(encoding="utf-8")).get("version")
        if pcfg["model"] != cfg["model"]:
            log(f"fine-tuning: [model] taken from {pdir} (the config's [model] is ignored)")
        cfg.set_section("model", pcfg["model"], pcfg.source["model"])
        if cfg["model"]["architecture"] == "hf_bert_crf.v1" and not cfg["paths"]["hf_checkpoint"]:
            cfg.set("paths", "hf_checkpoint", str(pdir))
    mcfg = cfg["model"]
    arch, scheme, max_length = mcfg["architecture"], mcfg["scheme"], mcfg["max_length"]
    conventions = list(mcfg.get("conventions", []))
    default_convention = mcfg.get("default_convention", "")

    train_ex, train_conv, dev_ex, extra_ex, dev_sets, data_records, trained_ids = \
        _load_corpora(cfg, max_length, conventions, default_convention)
    log(f"data: {len(train_ex)} train segments, {len(dev_ex)} dev docs, extra dev {[len(v) for v in extra_ex.values()]}, "
        f"dev sets {[(k, len(v[0])) for k, v in dev_sets.items()]}")

    # featurizer + labels ------------------------------------------------------------------
    lac_init = None
    if parent is not None:
        featurizer = load_featurizer(pdir, mcfg)
        types = sorted(set(parent["entity_types"]) | {t for ex in train_ex for *_, t in ex.spans})
    else:
        types = sorted({t for ex in train_ex for *_, t in ex.spans})
        if arch == "hf_bert_crf.v1":
            from .models.hf_bert_crf import load_checkpoint_featurizer
            featurizer = load_checkpoint_featurizer(cfg.resolve_path(cfg["paths"]["hf_checkpoint"]))
        else:
            lex = None
            if mcfg["lexicon"]:
                lex = Lexicon.from_jieba_dict(find_lexicon_dict(cfg["paths"]["lexicon_dict"], cfg),
                                              mcfg["lexicon_min_freq"], mcfg["lexicon_max_word_len"])
                log(f"lexicon: {len(lex.words)} words")
                if mcfg.get("lexicon_relabel", "none") == "lac":
                    from .lac import relabel_lexicon
                    lex = relabel_lexicon(lex, threads)
            extra_chars = None
            if mcfg.get("lac_chars", "none") != "none":
                from .lac import char_embeddings
                extra_chars, lac_matrix = char_embeddings()
                if mcfg["lac_chars"] == "init":
                    lac_init = dict(zip(extra_chars, lac_matrix))
            featurizer = Featurizer.build((ex.text for ex in train_ex), mcfg["char_min_freq"], mcfg["bigram_min_freq"],
                                          mcfg["bigram_max_size"], mcfg["bigram_dim"] > 0, lex,
                                          classes=bool(mcfg.get("char_classes", False)), extra_chars=extra_chars)
            log(f"vocabulary: {len(featurizer.chars)} characters"
                + (f", {len(featurizer.bigrams)} bigrams" if featurizer.bigrams is not None else ""))
    if not types:
        raise ConfigError("corpora.train", "the training data holds no entity at all")
    if tcfg["mention_replace"] and getattr(featurizer, "lexicon", None) is not None:
        from .augment import replace_mentions
        if mcfg.get("lexicon_relabel") == "lac" and getattr(featurizer.lexicon, "lac_confirmed", None) is None:
            from .lac import relabel_lexicon  # a parent's saved lexicon: LAC's confirmations again
            featurizer.lexicon.lac_confirmed = relabel_lexicon(featurizer.lexicon, threads).lac_confirmed
        names = tcfg["mention_replace_conventions"]
        only = frozenset(conventions.index(n) for n in names) if names and conventions else None
        aug_ex, aug_conv = replace_mentions(train_ex, train_conv, featurizer.lexicon, tcfg["mention_replace"],
                                                cfg["system"]["seed"], max_length, only=only,
                                                sampling=tcfg["mention_replace_sampling"])
        log(f"mention replacement: {len(aug_ex)} augmented sentences added"
            + (f" (conventions {names})" if only is not None else ""))
        train_ex, train_conv = train_ex + aug_ex, train_conv + aug_conv
    labels = labels_for(types, scheme)
    if parent is not None and tcfg["new_type_selection"] == "last":
        dev_types = {t for ex in dev_ex for *_, t in ex.spans} | {t for exs, *_ in dev_sets.values() for ex in exs for *_, t in ex.spans}
        unseen = sorted(set(types) - set(parent["entity_types"]) - dev_types)
        if unseen:
            log(f"new entity types {unseen} have no dev mention: keeping the last epoch (training.new_type_selection)")
            tcfg = {**tcfg, "_keep_last": True}
    t0 = time.time()
    train_data = encode(train_ex, featurizer, labels, scheme, train_conv)
    log(f"featurised {len(train_data)} segments in {time.time() - t0:.1f}s; labels {labels}")

    # model --------------------------------------------------------------------------------
    paths = dict(cfg["paths"])
    if parent is not None:
        paths["_bert_config_dir"] = str(pdir)
    if arch == "hf_bert_crf.v1" and not paths.get("_bert_config_dir"):
        paths["hf_checkpoint"] = str(cfg.resolve_path(paths["hf_checkpoint"]))
    model = build_model(mcfg, featurizer, len(labels), paths)
    if parent is not None:
        model.load_state_dict(_adapt_labels(load_weights(pdir / "weights.npz"), parent["labels"], labels))
    elif lac_init is not None:
        with torch.no_grad():
            W = model.embed.char_emb.weight
            hits = 0
            for i, ch in enumerate(featurizer.chars.itos):
                v = lac_init.get(ch)
                if v is not None:
                    W[i] = torch.from_numpy(v)
                    hits += 1
            log(f"char embeddings: {hits} of {len(featurizer.chars)} rows initialised from LAC")
    model.to(device)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model {arch}: {n_params:,} parameters on {device} ({threads} threads)")
    optimizer = make_optimizer(model, tcfg)
    rng = np.random.default_rng(cfg["system"]["seed"])

    fold = conventions.index(cfg["corpora"]["convention"] or default_convention) if conventions else 0

    def eval_fn():
        """The selection score: corpora.dev, or the mean over corpora.dev_sets."""
        if tcfg["selection"] == "dev":
            return evaluate(model, featurizer, dev_ex, labels, scheme, max_length, tcfg["eval_batch_size"], device, fold)
        return mean_over_sets(score_dev_sets(model, featurizer, dev_sets, labels, scheme, max_length, conventions,
                                             tcfg["eval_batch_size"], device, lambda m: log("  " + m)))

    meta = {
        "architecture": arch, "scheme": scheme, "labels": labels, "entity_types": types,
        "max_length": max_length, "input_names": list(model.input_names),
        "embedding_dim": None, "parameters": n_params, "data": data_records,
        "parent_version": parent.get("version") if parent else None,
        "parent_dir": str(init_from) if init_from else None,
        # what the parent's weights were (a soup checks that its ingredients share the base)
        "parent_weights_sha256": sha256_file(pdir / "weights.npz") if parent is not None else None,
        "seed": cfg["system"]["seed"], "device": device, "torch": torch.__version__,
        "conventions": conventions, "default_convention": default_convention if conventions else None,
        "selection": tcfg["selection"],
    }
    # the sentences this model was trained on (the simulation's pool excludes them): the parent's too
    ids = read_data_ids(pdir / DATA_IDS_FILE) if parent is not None and (pdir / DATA_IDS_FILE).is_file() else {}
    for name, lst in trained_ids.items():
        ids.setdefault(name, [])
        seen = set(ids[name])
        ids[name].extend(i for i in lst if i not in seen)
    write_data_ids(out_dir / DATA_IDS_FILE, ids)
    meta["data_ids"] = {"file": DATA_IDS_FILE, "sentences": sum(len(v) for v in ids.values()),
                        "includes_parent": parent is not None}
    best_state = {"epoch": 0, "dev": None}
    written = {"featurizer": False}

    def on_best(epoch, dev):
        best_state.update(epoch=epoch, dev=dev)
        write_checkpoint(out_dir, cfg, model, featurizer, meta, best_state, featurizer_files=not written["featurizer"])
        written["featurizer"] = True

    log_path = out_dir / "train_log.jsonl"
    resume_path = out_dir / "resume.pt"
    start = None
    if resume and resume_path.is_file():
        st = torch.load(resume_path)
        model.load_state_dict(st["model"])
        optimizer.load_state_dict(st["optimizer"])
        rng.bit_generator.state = st["rng"]
        torch.set_rng_state(st["torch_rng"])
        best_state.update(st["best_state"])
        written["featurizer"] = True
        start = st["loop"]
        log(f"resuming after epoch {start['epoch']} (best {start['best']:.4f} at epoch {best_state['epoch']})")
        kept = [l for l in log_path.read_text().splitlines() if l and json.loads(l)["epoch"] <= start["epoch"]]
        log_path.write_text("".join(l + "\n" for l in kept))
    else:
        log_path.write_text("")

    def on_epoch_end(loop_state):
        tmp = resume_path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "rng": rng.bit_generator.state,
                    "torch_rng": torch.get_rng_state(), "best_state": dict(best_state), "loop": loop_state}, tmp)
        tmp.replace(resume_path)
        # fault injection for the resume test: a SIGKILL at a known point instead of a timing race
        if os.environ.get("ZHNER_TRAINER_KILL_AFTER_EPOCH") == str(loop_state["epoch"]):
            os.kill(os.getpid(), signal.SIGKILL)

    for info in train_while_improving(model, optimizer, train_data, eval_fn, tcfg, rng, device, on_best,
                                      on_epoch_end, start):
        d = info["dev"]
        payload = {"epoch": info["epoch"], "step": info["step"], "loss": round(info["loss"], 5),
                   "dev": {"precision": round(d["precision"], 5), "recall": round(d["recall"], 5), "f1": round(d["f1"], 5)},
                   "elapsed_s": info["elapsed_s"], "best_f1": round(info["best_f1"], 5)}
        emit("PROGRESS", payload)
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps({**payload, "per_type": d["per_type"], "dev_sets": d.get("sets")}) + "\n")
    if resume_path.is_file():
        resume_path.unlink()

    # final: best weights back, extra dev sets, export ------------------------------------
    state = load_weights(out_dir / "weights.npz")
    model.load_state_dict(state)
    extra = {}
    for name, exs in extra_ex.items():
        extra[name] = evaluate(model, featurizer, exs, labels, scheme, max_length, tcfg["eval_batch_size"], device, fold)
        log(f"{name}: F1 {extra[name]['f1']:.4f}")
    best_state["extra_dev"] = extra
    if dev_sets:
        best_state["dev_sets"] = score_dev_sets(model, featurizer, dev_sets, labels, scheme, max_length, conventions,
                                                tcfg["eval_batch_size"], device, log)
    write_checkpoint(out_dir, cfg, model, featurizer, meta, best_state, weights=False, featurizer_files=False)
    result = {"out_dir": str(out_dir), "version": None, "best_epoch": best_state["epoch"],
              "dev": _short(best_state["dev"]), "extra_dev": {k: _short(v) for k, v in extra.items()},
              "elapsed_s": None}
    if dev_sets:
        result["dev_sets"] = {k: _short(v) for k, v in best_state["dev_sets"].items()}
    if cfg["export"]["onnx"]:
        from .export import export_model_dir
        manifest = export_model_dir(out_dir, out_dir)
        result["version"] = manifest["version"]
        result["int8"] = manifest["metrics"].get("onnx_check")
    result["elapsed_s"] = round(time.time() - t_start, 2)
    emit("RESULT", result)
    return result


def write_checkpoint(out_dir: Path, cfg: Config, model, featurizer, meta: dict, best: dict, weights: bool = True,
                     featurizer_files: bool = True) -> None:
    """Write the checkpoint files (see checkpoint.py); vocab/lexicon only when featurizer_files."""
    if featurizer_files:
        meta["featurizer_files"] = featurizer.save(out_dir)
        if meta["architecture"] == "hf_bert_crf.v1":
            from .models.hf_bert_crf import save_bert_config
            meta["featurizer_files"] += save_bert_config(model, out_dir)
    if weights:
        save_weights(model, out_dir / "weights.npz", cfg["export"]["weights_dtype"])
        (out_dir / "crf.json").write_text(json.dumps(model.crf.to_json()), encoding="utf-8")
    (out_dir / "config.cfg").write_text(cfg.to_cfg_text(
        "Resolved config that produced this model (zhner_trainer). Values are JSON."), encoding="utf-8")
    meta = dict(meta, created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                best_epoch=best["epoch"], metrics={"dev": best["dev"], "extra_dev": best.get("extra_dev", {}),
                                                   "dev_sets": best.get("dev_sets", {})})
    (out_dir / "checkpoint.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
