// Every SQL statement of the sampler, one named constant each (only the repository uses them).

export const SQL = {
  knownInWindow: `SELECT text_hash, doc_id FROM sampler_window WHERE text_hash = ANY($1::text[])`,
  knownSelected: `SELECT text_hash, doc_id, state FROM sampler_selections WHERE text_hash = ANY($1::text[])`,
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
  selectedHashes: `SELECT text_hash FROM sampler_selections WHERE text_hash = ANY($1::text[]) AND state <> 'expired'`,
  // A text selected before is skipped unless its selection had expired: then it is selected again
  // (same candidate id, so the studio re-opens its expired queue item). xmax = 0 tells a fresh
  // insert from an update.
  writeSelection: `
    INSERT INTO sampler_selections (text_hash, candidate_id, doc_id, model_version, strategy, score, embedding, state)
    VALUES ($1, $2, $3, $4, $5, $6, $7::real[], 'selected')
    ON CONFLICT (text_hash) DO UPDATE SET
      doc_id = EXCLUDED.doc_id, model_version = EXCLUDED.model_version, strategy = EXCLUDED.strategy, score = EXCLUDED.score,
      embedding = EXCLUDED.embedding, state = 'selected', selected_at = now(), labelled_at = NULL, updated_at = now()
    WHERE sampler_selections.state = 'expired'
    RETURNING candidate_id, (xmax = 0) AS inserted`,
  removeFromWindow: `DELETE FROM sampler_window WHERE text_hash = ANY($1::text[])`,
  labelledEmbeddings: `
    SELECT embedding FROM sampler_selections
    WHERE state = 'labelled' AND embedding IS NOT NULL AND cardinality(embedding) > 0
    ORDER BY labelled_at DESC LIMIT $1`,
  // a correction of a selected text (by candidate id, or by text for corrections made elsewhere)
  markLabelled: `
    UPDATE sampler_selections SET state = 'labelled', labelled_at = COALESCE(labelled_at, now()), updated_at = now()
    WHERE (candidate_id = $1 OR text_hash = $2) AND state <> 'labelled'`,
  selectionCounts: `SELECT state, count(*)::int AS n FROM sampler_selections GROUP BY state`,
  recordPromotion: `
    INSERT INTO sampler_promotions (event_id, model_version, previous_version, promoted_at_ms, expired, window_dropped)
    VALUES ($1, $2, $3, $4, 0, 0) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
  // only rows created before the promotion: replaying an old PROMOTED never expires newer candidates
  expireSelected: `
    UPDATE sampler_selections SET state = 'expired', updated_at = now()
    WHERE state = 'selected' AND model_version <> $1 AND selected_at < to_timestamp($2::float8 / 1000.0)`,
  dropWindow: `DELETE FROM sampler_window WHERE model_version <> $1 AND predicted_at_ms < $2`,
  promotionCounts: `UPDATE sampler_promotions SET expired = $2, window_dropped = $3 WHERE event_id = $1`,
  latestPromotion: `SELECT model_version, promoted_at_ms FROM sampler_promotions ORDER BY promoted_at_ms DESC, handled_at DESC LIMIT 1`,
  listSelections: `
    SELECT candidate_id, doc_id, text_hash, model_version, strategy, score, state, selected_at, labelled_at
    FROM sampler_selections WHERE state = $1
    ORDER BY selected_at DESC, candidate_id LIMIT $2 OFFSET $3`,
  ping: `SELECT 1`,
} as const;

/** Advisory lock key of the window flush (one flusher at a time per database). */
export const WINDOW_LOCK_KEY = 7_734_210;
