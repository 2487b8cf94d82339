import { createHash } from 'node:crypto';

/**
 * Normalisation used for duplicate detection (the sampler's "near-duplicate texts never enter the
 * queue twice", adjudication of corrections of the same text): full-width ASCII → ASCII, ideographic
 * space → space, lower-case, whitespace collapsed and trimmed. NOT offset-preserving: never use it
 * for features (the model's featuriser has its own one-to-one mapping).
 */
export function normalizeForDedup(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xff01 && cp <= 0xff5e) out += String.fromCodePoint(cp - 0xfee0);
    else if (cp === 0x3000) out += ' ';
    else out += ch;
  }
  return out.toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** sha256 hex of the dedup-normalised text. */
export function textHash(text: string): string {
  return sha256Hex(normalizeForDedup(text));
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A stable number in [0, 1) of a key: the first 32 bits of its sha256. How a share of items is
 * chosen without randomness (the orchestrator's hold-out split, the studio's agreement and review
 * routing); callers salt the key so that their choices are independent.
 */
export function stableFraction(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 0x1_0000_0000;
}

/** UTF-16 offset → code-point offset table for `text` (length text.length + 1). */
export function utf16ToCodePointOffsets(text: string): Uint32Array {
  const table = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    table[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        table[i + 1] = cp;
        i++;
      }
    }
    cp++;
  }
  table[text.length] = cp;
  return table;
}

/** Code-point offset → UTF-16 offset table for `text` (length = code points + 1). */
export function codePointToUtf16Offsets(text: string): Uint32Array {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    out.push(i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      i += d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
    } else i += 1;
  }
  out.push(text.length);
  return Uint32Array.from(out);
}
