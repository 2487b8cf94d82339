// The run folder: config.json, rounds.jsonl (one record per strategy × seed × round), curves.csv,
// curves.svg and summary.json. Curves are rewritten after every round, so a run stopped early
// still leaves its partial curves.
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class RunFolder {
  constructor(readonly dir: string) {}

  async create(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Folder of one fine-tune: runs/s<seed>/<strategy>/r<round>. */
  roundDir(seed: number, strategy: string, round: number): string {
    return path.join(this.dir, 'runs', `s${seed}`, strategy.replace(/[^\w.-]/g, '_'), `r${round}`);
  }

  async writeText(name: string, text: string): Promise<void> {
    const file = path.join(this.dir, name);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await this.writeText(name, JSON.stringify(value, null, 1) + '\n');
  }

  async appendJsonLine(name: string, value: unknown): Promise<void> {
    await appendFile(path.join(this.dir, name), JSON.stringify(value) + '\n', 'utf8');
  }
}
