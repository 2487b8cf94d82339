// Every error the reloader raises: its code and HTTP status are a published API (the studio and
// the integration suites branch on them); kit's httpStatusOf answers the status given here.
import { defineErrors } from '@zhner/core';

export const errors = defineErrors('reloader', {
  ROLLOUT_CONFLICT: {
    code: 'CONFLICT',
    status: 409,
    message: 'rollout {activeRolloutId} of {modelVersion} is {state}; one rollout at a time',
    doc: 'an operator started a rollout while another is active',
  },
  ROLLOUT_FINISHED: { code: 'CONFLICT', status: 409, message: 'rollout {rolloutId} is {state}: nothing to roll back', doc: 'a rollback of a rollout already rolled back or failed' },
  ROLLOUT_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'rollout {rolloutId} not found' },
  UNKNOWN_MODEL_VERSION: { status: 404, message: 'model version "{modelVersion}" is not in the registry' },
  REGISTRY_NOT_CONFIGURED: { status: 503, message: 'this reloader has no REGISTRY_URL: it cannot resolve a model version' },
});
