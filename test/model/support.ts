// Helpers of the model suites: the Python trainer as a child process and corpus samples.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const REPO = path.resolve(__dirname, '..', '..');
export const TRAINER_DIR = path.join(REPO, 'services', 'trainer-orchestrator', 'trainer');
export const DATA_ROOT = path.resolve(process.env.NER_DATA_ROOT ?? path.join(REPO, '..', 'shared', 'data'));

/** The trainer's Python: $NER_PYTHON, else <repo>/.venv/bin/python (scripts/setup-python.sh makes it). */
export function pythonPath(): string {
  const p = process.env.NER_PYTHON ?? path.join(REPO, '.venv', 'bin', 'python');
  if (!existsSync(p)) throw new Error(`no Python at ${p}: run scripts/setup-python.sh or set NER_PYTHON`);
  return p;
}

const run = promisify(execFile);

/** Run `python -m zhner_trainer ...args`; resolves with stdout, rejects with stderr in the message. */
export async function trainer(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(pythonPath(), ['-m', 'zhner_trainer', ...args], {
      cwd: TRAINER_DIR,
      env: { ...process.env, PYTHONPATH: TRAINER_DIR, NER_DATA_ROOT: DATA_ROOT },
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`zhner_trainer ${args[0]} failed: ${e.message}\n${(e.stderr ?? '').slice(-4000)}`);
  }
}

export function jsonLines<T>(text: string): T[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** The first `n` texts of a corpus file under DATA_ROOT (e.g. 'weibo/dev.jsonl'). */
export function corpusTexts(rel: string, n: number, skip = 0): string[] {
  const lines = readFileSync(path.join(DATA_ROOT, rel), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.slice(skip, skip + n).map((l) => (JSON.parse(l) as { text: string }).text);
}

/** Strings that break naive tokenisers: astral CJK, emoji sequences, full-width forms, lone surrogates. */
export const TRICKY_TEXTS = [
  '😀李明👍🏽在𠀀𠀁北京见到了王小红🇨🇳',
  'ＮＢＡ球星科比・布莱恩特１９９８年访问上海，ＩＢＭ公司总裁郭士纳同行。',
  'iPhone15在Apple Store发售，张三说售价5999元！',
  '\ud800孤立的高代理李明在北京',
  '孤立的低代理\udc00北京大学的王芳',
  '　　全角空格后是温家宝总理　ＡＢＣ ａｂｃ',
];
