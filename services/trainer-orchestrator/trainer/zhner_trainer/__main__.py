"""CLI: python -m zhner_trainer <command> ...

  train     --config CFG --out DIR [--init-from MODEL_DIR] [--resume] [--set section.key=value ...]
  finetune  --config CFG --out DIR --init-from MODEL_DIR [--set ...]   (train with a parent model)
  export    --from CKPT_DIR --out MODEL_DIR [--set export.key=value ...]
  validate  --config CFG [--set ...]        check a config and print it resolved
  soup      --base DIR --from DIR [DIR ...] --out DIR [--rule better|all] [--threads N]
            uniform weight average of fine-tunes of one base (zhner_trainer/soup.py)
  rehash    MODEL_DIR                       recompute manifest.json's file checksums
  features  --model DIR --input FILE.jsonl [--limit N]   dump featuriser ids (parity tests)
  predict   --model DIR --input FILE.jsonl [--limit N] [--convention NAME]   dump torch label paths (parity tests)

Exit status: 0 ok; 2 invalid config/data/model dir (not retriable); 1 other failures.
Errors are printed on stderr as ``ERROR {"code":..,"message":..,...}``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import load_config
from .errors import TrainerError


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m zhner_trainer", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("train", "finetune"):
        p = sub.add_parser(name, help="train a model" if name == "train" else "fine-tune an exported model")
        p.add_argument("--config", required=True, help="path of the .cfg file")
        p.add_argument("--out", required=True, help="output directory (becomes the model directory)")
        p.add_argument("--init-from", required=name == "finetune", default=None,
                       help="model directory to start from (its [model], vocabularies, lexicon and weights)")
        p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                       help="override a config value (JSON, else a plain string); repeatable")
        p.add_argument("--resume", action="store_true",
                       help="continue after the last finished epoch of a killed run into --out (its resume.pt)")
    p = sub.add_parser("export", help="export a checkpoint directory to ONNX + manifest")
    p.add_argument("--from", dest="src", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--set", action="append", default=[], metavar="export.KEY=VALUE")
    p = sub.add_parser("validate", help="validate a config and print it resolved")
    p.add_argument("--config", required=True)
    p.add_argument("--set", action="append", default=[])
    p = sub.add_parser("soup", help="average the weights of fine-tunes of one base (a model soup)")
    p.add_argument("--base", required=True, help="checkpoint directory the ingredients were fine-tuned from")
    p.add_argument("--from", dest="ingredients", nargs="+", required=True, help="checkpoint directories to average in")
    p.add_argument("--out", required=True)
    p.add_argument("--rule", default="better", choices=("better", "all"),
                   help="better: only ingredients whose dev F1 beats the base's; all: every one")
    p.add_argument("--threads", type=int, default=0)
    p = sub.add_parser("rehash", help="recompute the sha256 list of a model directory's manifest")
    p.add_argument("model_dir")
    for name in ("features", "predict"):
        p = sub.add_parser(name, help=f"dump {name} for the TypeScript parity tests")
        p.add_argument("--model", required=True)
        p.add_argument("--input", required=True)
        p.add_argument("--limit", type=int, default=0)
        if name == "predict":
            p.add_argument("--convention", default=None, help="one of the model's conventions (default: its default)")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command in ("train", "finetune"):
            overrides = list(args.set)
            if args.init_from:
                overrides.append(f"paths.init_from={json.dumps(str(Path(args.init_from).resolve()))}")
            cfg = load_config(args.config, overrides)
            from .train import run_training
            run_training(cfg, Path(args.out).resolve(), resume=args.resume)
        elif args.command == "export":
            from .export import export_model_dir
            ov = {}
            for o in args.set:
                key, value = o.split("=", 1)
                if not key.startswith("export."):
                    raise TrainerError(f"export only takes export.* overrides, got {key}")
                try:
                    ov[key[len("export."):]] = json.loads(value)
                except json.JSONDecodeError:
                    ov[key[len("export."):]] = value
            m = export_model_dir(Path(args.src), Path(args.out), ov)
            print("RESULT " + json.dumps({"out_dir": str(Path(args.out).resolve()), "version": m["version"],
                                          "onnx_check": m["metrics"].get("onnx_check")}), flush=True)
        elif args.command == "validate":
            cfg = load_config(args.config, args.set)
            sys.stdout.write(cfg.to_cfg_text())
        elif args.command in ("features", "predict"):
            from .debug import dump_features, dump_predictions
            if args.command == "features":
                dump_features(Path(args.model), Path(args.input), args.limit)
            else:
                dump_predictions(Path(args.model), Path(args.input), args.limit, args.convention)
        elif args.command == "soup":
            from .soup import make_soup
            r = make_soup(Path(args.base), [Path(d) for d in args.ingredients], Path(args.out), args.rule, args.threads)
            print("RESULT " + json.dumps(r), flush=True)
        elif args.command == "rehash":
            from .export import rehash
            m = rehash(Path(args.model_dir))
            print(f"rehashed {len(m['files'])} files of {m['version']}")
        return 0
    except TrainerError as e:
        print("ERROR " + json.dumps(e.to_json(), ensure_ascii=False), file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
