// The Tag page's use case: send texts to the tagger and check what comes back.
import { errorMessage, isPlatformError } from '@zhner/core';
import { errors, upstreamFailed } from '../errors';
import type { NerClient, NerResponse } from './ports';
import { validateText } from '@zhner/contracts';

export const MAX_TAG_TEXTS = 32;
export const MAX_TAG_CHARS = 20_000;

export class TagService {
  constructor(private readonly ner: NerClient) {}

  /** @throws ValidationError (400) for an empty or oversized request; 502/503 UPSTREAM_* when the tagger fails. */
  async tag(texts: string[]): Promise<NerResponse> {
    if (texts.length === 0) throw errors.create('TAG_NO_TEXTS', { field: 'texts' });
    if (texts.length > MAX_TAG_TEXTS) throw errors.create('TAG_TOO_MANY_TEXTS', { field: 'texts', limit: MAX_TAG_TEXTS, count: texts.length });
    // the platform text policy, as the tagger and Kafka apply it (same codes)
    texts.forEach((t, i) => validateText(t, `texts[${i}]`, MAX_TAG_CHARS));
    let res: NerResponse;
    try {
      res = await this.ner.tag(texts);
    } catch (err) {
      if (errors.is(err)) throw err;
      throw upstreamFailed('tagger', errorMessage(err), { retriable: isPlatformError(err) && err.retriable, cause: err });
    }
    if (res.results.length !== texts.length) throw upstreamFailed('tagger', `returned ${res.results.length} results for ${texts.length} texts`);
    // never pass on a span that does not fit its text (the page slices the text by these offsets)
    return {
      modelVersion: res.modelVersion,
      results: res.results.map((r, i) => ({
        entities: r.entities.filter((e) => Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.start < e.end && e.end <= texts[i].length),
      })),
    };
  }
}
