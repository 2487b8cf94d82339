// Every error the sampler raises. All are bad input to its pure scoring and selection functions
// (ValidationErrors, code VALIDATION_FAILED): a record carrying them is dead-lettered, not retried.
import { defineErrors } from '@zhner/core';

const invalid = { code: 'VALIDATION_FAILED', status: 400, validation: true } as const;

export const errors = defineErrors('sampler', {
  KMEANS_BAD_K: { ...invalid, message: 'k = {k} must be an integer >= 1' },
  KMEANS_MIXED_DIMENSIONS: { ...invalid, message: 'vector {index} has dimension {dimension}; vector 0 has {expected}' },
  PROBABILITY_INVALID: { ...invalid, message: 'probability {probability} at index {index} must be a finite number >= 0' },
  TOKEN_ARRAYS_MISMATCH: { ...invalid, message: 'tokenEntropy/tokenConfidence lengths ({entropyLength}/{confidenceLength}) differ from tokenCount {tokenCount}' },
  UNKNOWN_SCORE: { ...invalid, message: 'unknown score "{strategy}"; one of {allowed}' },
  SELECTION_OPTIONS_INVALID: { ...invalid, message: 'invalid selection options: {problems}' },
  CONFIDENCE_MISSING: { ...invalid, message: 'document {docId} has no averageConfidence; the gate needs it' },
});
