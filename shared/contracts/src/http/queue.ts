// The studio's review queue (its own API, GET /api/queue …): the statuses of an item, in one place.
export const CANDIDATE_STATUSES = ['open', 'claimed', 'done', 'skipped', 'expired'] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];
