// Checks of a text before it is tagged (HTTP bodies and Kafka messages). Each failure is a
// ValidationError with a stable code (the HTTP layer answers 400, the consumer dead-letters):
//   NOT_A_STRING, TEXTS_REQUIRED, TOO_MANY_TEXTS, and the platform text policy's EMPTY_TEXT,
//   TEXT_TOO_LONG, INVALID_UNICODE, CONTROL_CHARACTER (validateText, as for Kafka and the studio).
import { errors } from '../errors';
import { validateText } from '@zhner/contracts';

export const INPUT_ERRORS = {
  notAString: 'NOT_A_STRING',
  empty: 'EMPTY_TEXT',
  tooLong: 'TEXT_TOO_LONG',
  invalidUnicode: 'INVALID_UNICODE',
  control: 'CONTROL_CHARACTER',
  required: 'TEXTS_REQUIRED',
  tooMany: 'TOO_MANY_TEXTS',
} as const;

/**
 * Checks one text: a string, then the platform text policy with `maxLength` UTF-16 code units
 * (JavaScript `length`). Throws ValidationError naming `field`.
 */
export function checkText(text: unknown, maxLength: number, field = 'text'): string {
  if (typeof text !== 'string') {
    throw errors.create('NOT_A_STRING', { field, got: text === null ? 'null' : Array.isArray(text) ? 'an array' : typeof text });
  }
  validateText(text, field, maxLength);
  return text;
}

/**
 * The texts of a `POST /ner` body: exactly one of `text` (a string) or `texts` (1..maxTexts
 * strings). Throws ValidationError for the first problem found.
 */
export function textsOfRequest(body: { text?: unknown; texts?: unknown }, limits: { maxLength: number; maxTexts: number }): { texts: string[]; single: boolean } {
  const hasText = body.text !== undefined;
  const hasTexts = body.texts !== undefined;
  if (hasText === hasTexts) {
    throw hasText ? errors.create('TEXT_AND_TEXTS', { field: 'text' }) : errors.create('TEXTS_REQUIRED', { field: 'text' });
  }
  if (hasText) return { texts: [checkText(body.text, limits.maxLength, 'text')], single: true };
  if (!Array.isArray(body.texts)) throw errors.create('TEXTS_NOT_AN_ARRAY', { field: 'texts' });
  if (body.texts.length === 0) throw errors.create('TEXTS_EMPTY', { field: 'texts' });
  if (body.texts.length > limits.maxTexts) {
    throw errors.create('TOO_MANY_TEXTS', { field: 'texts', count: body.texts.length, limit: limits.maxTexts });
  }
  return { texts: body.texts.map((t, i) => checkText(t, limits.maxLength, `texts[${i}]`)), single: false };
}
