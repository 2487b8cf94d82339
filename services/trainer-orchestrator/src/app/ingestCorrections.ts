// Corrections from the topic → the training pool. Each correction is checked against the current
// model's label set (and the span rules); bad ones are returned as rejected, which the bus
// dead-letters with the reason. Good ones are stored idempotently on correction id.
import type { Envelope, BatchOutcome } from '@zhner/bus';
import { validateCorrection, type Correction } from '@zhner/contracts';
import { ValidationError, textHash } from '@zhner/core';
import { goldToCorpusEntities } from '@zhner/core';
import { splitOf } from '../domain/examples';
import type { ExampleRepository, NewTrainingExample } from './ports';

export interface IngestDeps {
  examples: ExampleRepository;
  /** The entity types a correction may use (the promoted model's, or LABEL_SET). */
  labelSet: () => readonly string[];
  /** Reads the admitted types again: called once when a batch names a type the cached set lacks (another replica may have admitted it). */
  refreshLabelSet?: () => Promise<void>;
  /** Share of texts held out (0..1). */
  holdoutShare: number;
  onIngested?: (counts: { accepted: number; inserted: number; rejected: number }) => void;
}

/** Validates one correction; throws ValidationError naming the problem. */
export function checkCorrection(c: Correction, labelSet: readonly string[]): void {
  validateCorrection(c, labelSet);
  goldToCorpusEntities(c.text, c.entities); // spans must fall on code-point boundaries
}

/** `labelSet`: the label set now, recorded when the correction does not say what it was offered. */
export function toTrainingExample(c: Correction, holdoutShare: number, labelSet: readonly string[] = []): NewTrainingExample {
  const hash = textHash(c.text);
  return {
    correctionId: c.correctionId,
    textHash: hash,
    docId: c.docId,
    text: c.text,
    entities: [...c.entities].sort((a, b) => a.start - b.start || a.end - b.end).map((e) => ({ start: e.start, end: e.end, type: e.type, text: e.text })),
    annotator: c.annotator,
    origin: c.origin,
    revision: c.revision,
    correctedAt: c.createdAt,
    modelVersion: c.modelVersion,
    split: splitOf(hash, holdoutShare),
    labelSet: [...new Set(c.labelSet ?? labelSet)].sort(),
  };
}

export class IngestCorrections {
  constructor(private readonly deps: IngestDeps) {}

  /** The bus handler: store the valid corrections of the batch, reject the others. */
  async handle(batch: Envelope<Correction>[]): Promise<BatchOutcome<Correction>> {
    let labels = this.deps.labelSet();
    if (this.deps.refreshLabelSet && batch.some((b) => b.value.entities?.some((e) => !labels.includes(e.type)))) {
      await this.deps.refreshLabelSet();
      labels = this.deps.labelSet();
    }
    const rejected: Array<{ envelope: Envelope<Correction>; error: unknown }> = [];
    const good: NewTrainingExample[] = [];
    for (const envelope of batch) {
      try {
        checkCorrection(envelope.value, labels);
        good.push(toTrainingExample(envelope.value, this.deps.holdoutShare, labels));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        rejected.push({ envelope, error });
      }
    }
    const { inserted } = good.length > 0 ? await this.deps.examples.ingest(good) : { inserted: 0 };
    this.deps.onIngested?.({ accepted: good.length, inserted, rejected: rejected.length });
    return { rejected };
  }
}
