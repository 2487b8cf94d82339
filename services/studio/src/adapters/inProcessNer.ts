// The tagger port over an in-process tagger (the one-machine platform runs the tagger in the same
// process): adapts `RunningTagger.tag(texts)` from @zhner/tagger structurally, so the studio does
// not depend on the tagger package.
import type { NerClient, NerResponse, TaggedEntity } from '../app/ports';

/** What the in-process tagger returns per text (a structural subset of the tagger's TaggedDoc). */
export interface InProcessTagged {
  modelVersion: string;
  prediction: { entities: ReadonlyArray<TaggedEntity> };
}

export function inProcessNerClient(tag: (texts: readonly string[]) => Promise<ReadonlyArray<InProcessTagged>>): NerClient {
  return {
    async tag(texts: string[]): Promise<NerResponse> {
      const docs = await tag(texts);
      return {
        modelVersion: docs[0]?.modelVersion ?? null,
        results: docs.map((d) => ({ entities: d.prediction.entities.map(({ start, end, type, text, score }) => ({ start, end, type, text, score })) })),
      };
    },
  };
}
