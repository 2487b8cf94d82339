-- Sampler state. Owner: sampler.

-- The selection window, persisted: scored predictions that passed the confidence gate wait here
-- until the window is due (SAMPLER_WINDOW_SIZE documents or SAMPLER_WINDOW_INTERVAL since the
-- oldest). Input offsets are committed once a document is here, so a crash never loses it; a flush
-- moves the selected ones into review_candidates (with their outbox events) and deletes the
-- window's rows, all in one transaction.
CREATE TABLE sampler_window (
  text_hash          text             PRIMARY KEY,
  doc_id             text             NOT NULL,
  source             text             NOT NULL,
  text               text             NOT NULL,
  model_version      text             NOT NULL,
  -- every uncertainty score by versioned name, e.g. {"sampler.mnlp.v1": 0.41, ...}
  scores             jsonb            NOT NULL,
  average_confidence double precision NOT NULL,
  predicted          jsonb            NOT NULL DEFAULT '[]'::jsonb,
  embedding          real[]           NOT NULL,
  predicted_at_ms    bigint           NOT NULL,
  received_at        timestamptz      NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX sampler_window_received ON sampler_window (received_at, text_hash);

-- Promotions the sampler has acted on (idempotency per event, and the current model after a restart).
CREATE TABLE sampler_promotions (
  event_id         text        PRIMARY KEY,
  model_version    text        NOT NULL,
  previous_version text,
  promoted_at_ms   bigint      NOT NULL,
  expired          integer     NOT NULL,
  window_dropped   integer     NOT NULL,
  handled_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sampler_promotions_latest ON sampler_promotions (promoted_at_ms DESC);

-- novelty reads the embeddings of the most recently labelled candidates
CREATE INDEX review_candidates_done_recent ON review_candidates (updated_at DESC) WHERE status = 'done';
