// Every SQL statement of the sampler, one named constant each (only the repository uses them).

export const SQL = {
  knownInWindow: `SELECT text_hash, doc_id FROM sampler_window WHERE text_hash = ANY($1::text[])`,
  knownInQueue: `SELECT text_hash, doc_id, status FROM review_candidates WHERE text_hash = ANY($1::text[])`,
  addToWindow: `
    INSERT INTO sampler_window (text_hash, doc_id, source, text, model_version, scores, average_confidence, predicted, embedding, predicted_at_ms)
    VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9::real[], $10)
    ON CONFLICT (text_hash) DO NOTHING
    RETURNING text_hash`,
  windowState: `
    SELECT count(*)::int AS n,
           (extract(epoch FROM clock_timestamp() - min(received_at)) * 1000)::float8 AS oldest_age_ms
    FROM sampler_window`,
  windowLock: `SELECT pg_advisory_xact_lock($1)`,
  oldest: `
    SELECT text_hash, doc_id, source, text, model_version, scores, average_confidence, predicted, embedding, predicted_at_ms
    FROM sampler_window ORDER BY received_at, text_hash LIMIT $1`,
  queuedHashes: `SELECT text_hash FROM review_candidates WHERE text_hash = ANY($1::text[]) AND status <> 'expired'`,
  // A text queued before is skipped unless its row had expired: then it is re-opened with the new
  // scores (same candidate id). xmax = 0 tells a fresh insert from an update.
  writeCandidate: `
    INSERT INTO review_candidates (candidate_id, doc_id, source, text, text_hash, model_version, strategy, score, scores, cluster, novelty, priority, predicted, embedding, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13::jsonb, $14::real[], 'open')
    ON CONFLICT (text_hash) DO UPDATE SET
      doc_id = EXCLUDED.doc_id, source = EXCLUDED.source, text = EXCLUDED.text, model_version = EXCLUDED.model_version,
      strategy = EXCLUDED.strategy, score = EXCLUDED.score, scores = EXCLUDED.scores, cluster = EXCLUDED.cluster,
      novelty = EXCLUDED.novelty, priority = EXCLUDED.priority, predicted = EXCLUDED.predicted, embedding = EXCLUDED.embedding,
      status = 'open', claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, updated_at = now(), rescored_at = now()
    WHERE review_candidates.status = 'expired'
    RETURNING candidate_id, (xmax = 0) AS inserted`,
  removeFromWindow: `DELETE FROM sampler_window WHERE text_hash = ANY($1::text[])`,
  labelledEmbeddings: `
    SELECT embedding FROM review_candidates
    WHERE status = 'done' AND embedding IS NOT NULL AND cardinality(embedding) > 0
    ORDER BY updated_at DESC LIMIT $1`,
  queueDepth: `SELECT status, count(*)::int AS n FROM review_candidates GROUP BY status`,
  recordPromotion: `
    INSERT INTO sampler_promotions (event_id, model_version, previous_version, promoted_at_ms, expired, window_dropped)
    VALUES ($1, $2, $3, $4, 0, 0) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
  // only rows created before the promotion: replaying an old PROMOTED never expires newer candidates
  expireOpen: `
    UPDATE review_candidates SET status = 'expired', updated_at = now()
    WHERE status = 'open' AND model_version <> $1 AND created_at < to_timestamp($2::float8 / 1000.0)`,
  dropWindow: `DELETE FROM sampler_window WHERE model_version <> $1 AND predicted_at_ms < $2`,
  promotionCounts: `UPDATE sampler_promotions SET expired = $2, window_dropped = $3 WHERE event_id = $1`,
  latestPromotion: `SELECT model_version, promoted_at_ms FROM sampler_promotions ORDER BY promoted_at_ms DESC, handled_at DESC LIMIT 1`,
  listQueue: `
    SELECT candidate_id, doc_id, source, text, model_version, strategy, score, priority, cluster, novelty, status, created_at
    FROM review_candidates WHERE status = $1
    ORDER BY priority DESC, created_at, candidate_id LIMIT $2 OFFSET $3`,
  ping: `SELECT 1`,
} as const;

/** Advisory lock key of the window flush (one flusher at a time per database). */
export const WINDOW_LOCK_KEY = 7_734_210;
