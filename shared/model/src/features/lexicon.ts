// The dictionary of the lexicon features (lexicon.tsv.gz, "zhner-lexicon v1") and the matcher,
// identical to zhner_trainer.features.Lexicon.levels.
import { gunzipSync } from 'node:zlib';

export class Lexicon {
  /** word -> packed entries (category * 256 + level). */
  private readonly words: Map<string, Uint16Array>;
  /** Proper prefixes (length >= 2) of the words: the matcher stops early when a string is neither. */
  private readonly prefixes: Set<string>;

  constructor(
    words: Map<string, Uint16Array>,
    readonly maxWordLen: number,
    readonly numCategories: number,
  ) {
    this.words = words;
    this.prefixes = new Set();
    for (const w of words.keys()) {
      const cps = Array.from(w);
      let p = cps[0];
      for (let k = 1; k < cps.length - 1; k++) {
        p += cps[k];
        this.prefixes.add(p);
      }
    }
  }

  get size(): number {
    return this.words.size;
  }

  /** Parse a gzip'd lexicon file. Throws Error with the line number on malformed content. */
  static fromGzip(buf: Buffer, numCategories: number): Lexicon {
    const text = gunzipSync(buf).toString('utf8');
    const lines = text.split('\n');
    const header = lines[0].split('\t');
    if (header[0] !== '#zhner-lexicon v1') throw new Error('not a zhner lexicon v1 file');
    const maxWordLen = Number(header[1]?.split('=')[1]);
    if (!Number.isInteger(maxWordLen) || maxWordLen < 2) throw new Error(`bad header ${lines[0]}`);
    const words = new Map<string, Uint16Array>();
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      if (line === '') continue;
      const tab = line.indexOf('\t');
      if (tab < 0) throw new Error(`line ${i + 1}: no tab`);
      const entries = line.slice(tab + 1).split(',');
      const packed = new Uint16Array(entries.length);
      for (let k = 0; k < entries.length; k++) {
        const colon = entries[k].indexOf(':');
        const cat = Number(entries[k].slice(0, colon));
        const lvl = Number(entries[k].slice(colon + 1));
        if (!(cat >= 0 && cat < numCategories && lvl >= 1 && lvl <= 255)) throw new Error(`line ${i + 1}: bad entry ${entries[k]}`);
        packed[k] = cat * 256 + lvl;
      }
      words.set(line.slice(0, tab), packed);
    }
    return new Lexicon(words, maxWordLen, numCategories);
  }

  /**
   * Levels [n * 3C] (row-major) for normalised tokens: for every dictionary word t[i..i+L)
   * (2 <= L <= maxWordLen) and each (category c, level v) of it, columns B (c, at i),
   * M (C + c, inside) and E (2C + c, at i+L-1) take max(current, v).
   */
  levels(tokens: readonly string[], out?: Uint8Array): Uint8Array {
    const n = tokens.length;
    const C = this.numCategories;
    const D = 3 * C;
    const res = out ?? new Uint8Array(n * D);
    for (let i = 0; i < n - 1; i++) {
      let w = tokens[i];
      const maxL = Math.min(this.maxWordLen, n - i);
      for (let L = 2; L <= maxL; L++) {
        w += tokens[i + L - 1];
        const hits = this.words.get(w);
        if (hits === undefined) {
          if (this.prefixes.has(w)) continue;
          break;
        }
        const e = i + L - 1;
        for (let h = 0; h < hits.length; h++) {
          const c = hits[h] >> 8;
          const v = hits[h] & 255;
          if (res[i * D + c] < v) res[i * D + c] = v;
          if (res[e * D + 2 * C + c] < v) res[e * D + 2 * C + c] = v;
          for (let j = i + 1; j < e; j++) if (res[j * D + C + c] < v) res[j * D + C + c] = v;
        }
      }
    }
    return res;
  }
}
