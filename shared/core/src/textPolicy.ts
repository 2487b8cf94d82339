// The one text policy of the platform: what a text handed to the model (a Kafka RawText, a POST
// /ner body, a studio correction) may contain. Every entry point calls these functions, so the same
// bad input gets the same coded reason everywhere:
//
//   INVALID_UTF8       the bytes are not UTF-8 (Kafka payloads; JSON bodies are decoded by the
//                      HTTP layer before this)
//   INVALID_UNICODE    an unpaired UTF-16 surrogate: "\ud800" in JSON, or a surrogate encoded in
//                      UTF-8 bytes (CESU-8 / WTF-8 as written by some Java and Python producers)
//   CONTROL_CHARACTER  NUL or another C0 control character other than \t, \n and \r
//
// Length limits and emptiness are the callers' business (their limits differ per entry point).
import { isUtf8 } from 'node:buffer';

export const TEXT_POLICY_CODES = {
  invalidUtf8: 'INVALID_UTF8',
  loneSurrogate: 'INVALID_UNICODE',
  controlCharacter: 'CONTROL_CHARACTER',
} as const;

export type TextPolicyCode = (typeof TEXT_POLICY_CODES)[keyof typeof TEXT_POLICY_CODES];

/** Why a text breaks the policy: a stable code, a message for people, and where (UTF-16 index or byte offset). */
export interface TextViolation {
  readonly code: TextPolicyCode;
  readonly message: string;
  /** UTF-16 index of the offending character (strings) or byte offset (bytes). */
  readonly at: number;
}

// C0 controls except \t (09), \n (0A) and \r (0D)
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first violation of the policy in `text` (a JavaScript string), or null when it complies.
 * Checks lone surrogates, then control characters. O(n), no allocation when the text is clean.
 */
export function textPolicyViolation(text: string): TextViolation | null {
  const s = LONE_SURROGATE.exec(text);
  if (s) return { code: TEXT_POLICY_CODES.loneSurrogate, message: `holds an unpaired UTF-16 surrogate U+${s[0].charCodeAt(0).toString(16).toUpperCase()} at index ${s.index}`, at: s.index };
  const c = CONTROL.exec(text);
  if (c) return { code: TEXT_POLICY_CODES.controlCharacter, message: `holds the control character U+${c[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at index ${c.index}`, at: c.index };
  return null;
}

/** Byte offset of the first UTF-8-encoded surrogate (ED A0..BF xx), or -1. */
function encodedSurrogateAt(bytes: Uint8Array): number {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xed && bytes[i + 1] >= 0xa0 && bytes[i + 1] <= 0xbf && (bytes[i + 2] & 0xc0) === 0x80) return i;
  }
  return -1;
}

/** Byte offset of the first byte where strict UTF-8 decoding fails (for the message), or 0. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    for (let k = 1; k < n; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    if (n === 3 && ((b === 0xe0 && bytes[i + 1] < 0xa0) || (b === 0xed && bytes[i + 1] >= 0xa0))) return i;
    if (n === 4 && ((b === 0xf0 && bytes[i + 1] < 0x90) || (b === 0xf4 && bytes[i + 1] >= 0x90))) return i;
    i += n;
  }
  return 0;
}

/**
 * Decodes `bytes` as strict UTF-8: returns the string, or the violation (INVALID_UNICODE for an
 * encoded surrogate, INVALID_UTF8 for anything else that is not UTF-8). Does not check control
 * characters: strings that are not texts (ids, metadata) may hold them; call
 * textPolicyViolation() on texts.
 */
export function decodeUtf8Strict(bytes: Uint8Array): string | TextViolation {
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const at = encodedSurrogateAt(bytes);
  if (at >= 0) return { code: TEXT_POLICY_CODES.loneSurrogate, message: `holds an unpaired surrogate encoded in UTF-8 (bytes ED ${bytes[at + 1].toString(16).toUpperCase()} … at byte ${at})`, at };
  const bad = firstInvalidByte(bytes);
  return { code: TEXT_POLICY_CODES.invalidUtf8, message: `is not valid UTF-8 (byte 0x${bytes[bad]?.toString(16).toUpperCase().padStart(2, '0') ?? '??'} at byte ${bad})`, at: bad };
}

/** True when `x` is a TextViolation (the failure branch of decodeUtf8Strict). */
export function isTextViolation(x: unknown): x is TextViolation {
  return typeof x === 'object' && x !== null && typeof (x as TextViolation).code === 'string' && typeof (x as TextViolation).at === 'number';
}
