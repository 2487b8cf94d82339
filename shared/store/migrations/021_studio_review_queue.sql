-- The review queue, owned by the studio: filled from ner.review-candidates.v1 (the sampler's
-- selections), claimed / skipped / released / done by annotators, expired when a newer model is
-- promoted. Owner: studio (one writer). Replaces review_candidates, which both the sampler and
-- the studio wrote.
CREATE TABLE review_queue (
  candidate_id     text PRIMARY KEY,
  doc_id           text             NOT NULL,
  source           text             NOT NULL,
  text             text             NOT NULL,
  -- a near-duplicate never enters the queue twice
  text_hash        text             NOT NULL UNIQUE,
  model_version    text             NOT NULL,
  strategy         text             NOT NULL,
  score            double precision NOT NULL,
  scores           jsonb            NOT NULL DEFAULT '{}'::jsonb,
  cluster          integer,
  novelty          double precision,
  priority         double precision NOT NULL,
  predicted        jsonb            NOT NULL DEFAULT '[]'::jsonb,
  status           text             NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'done', 'skipped', 'expired')),
  claimed_by       text,
  claimed_at       timestamptz,
  claim_expires_at timestamptz,
  -- when the sampler selected it (the event's createdAt)
  created_at       timestamptz      NOT NULL DEFAULT now(),
  updated_at       timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX review_queue_open ON review_queue (priority DESC, created_at) WHERE status = 'open';
CREATE INDEX review_queue_status ON review_queue (status);

-- an existing shared database: the queue as it was
INSERT INTO review_queue (candidate_id, doc_id, source, text, text_hash, model_version, strategy, score, scores, cluster, novelty, priority, predicted, status, claimed_by, claimed_at, claim_expires_at, created_at, updated_at)
SELECT candidate_id, doc_id, source, text, text_hash, model_version, strategy, score, scores, cluster, novelty, priority, predicted, status, claimed_by, claimed_at, claim_expires_at, created_at, updated_at
FROM review_candidates;
