// Checks of a text before it is tagged (HTTP bodies and Kafka messages). Each failure is a
// ValidationError with a stable code (the HTTP layer answers 400, the consumer dead-letters):
//   NOT_A_STRING, TEXTS_REQUIRED, TOO_MANY_TEXTS, and the platform text policy's EMPTY_TEXT,
//   TEXT_TOO_LONG, INVALID_UNICODE, CONTROL_CHARACTER (validateText, as for Kafka and the studio).
import { ValidationError } from '@zhner/core';
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
    throw new ValidationError(`${field} must be a string, got ${text === null ? 'null' : Array.isArray(text) ? 'an array' : typeof text}`, { field, code: INPUT_ERRORS.notAString });
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
    throw new ValidationError(hasText ? 'give either text or texts, not both' : 'body must hold text (a string) or texts (an array of strings)', { field: 'text', code: INPUT_ERRORS.required });
  }
  if (hasText) return { texts: [checkText(body.text, limits.maxLength, 'text')], single: true };
  if (!Array.isArray(body.texts)) throw new ValidationError('texts must be an array of strings', { field: 'texts', code: INPUT_ERRORS.notAString });
  if (body.texts.length === 0) throw new ValidationError('texts must not be empty', { field: 'texts', code: INPUT_ERRORS.empty });
  if (body.texts.length > limits.maxTexts) {
    throw new ValidationError(`texts holds ${body.texts.length} items; at most ${limits.maxTexts} per request`, { field: 'texts', code: INPUT_ERRORS.tooMany, context: { count: body.texts.length, limit: limits.maxTexts } });
  }
  return { texts: body.texts.map((t, i) => checkText(t, limits.maxLength, `texts[${i}]`)), single: false };
}
