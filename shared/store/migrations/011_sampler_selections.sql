-- The sampler's own memory of what it selected (it no longer shares the review queue with the
-- studio): a text selected once is not selected again unless its selection expired (a promotion
-- came before anyone labelled it); "labelled" is learned from the corrections topic, and the
-- embeddings of labelled texts feed novelty. Owner: sampler.
CREATE TABLE sampler_selections (
  text_hash      text        PRIMARY KEY,
  candidate_id   text        NOT NULL,
  doc_id         text        NOT NULL,
  model_version  text        NOT NULL,
  strategy       text        NOT NULL,
  score          double precision NOT NULL,
  embedding      real[],
  state          text        NOT NULL DEFAULT 'selected' CHECK (state IN ('selected', 'labelled', 'expired')),
  selected_at    timestamptz NOT NULL DEFAULT now(),
  labelled_at    timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sampler_selections_candidate ON sampler_selections (candidate_id);
CREATE INDEX sampler_selections_labelled ON sampler_selections (labelled_at DESC) WHERE state = 'labelled';

-- an existing shared database: carry the queue's history over (done = labelled)
INSERT INTO sampler_selections (text_hash, candidate_id, doc_id, model_version, strategy, score, embedding, state, selected_at, labelled_at, updated_at)
SELECT text_hash, candidate_id, doc_id, model_version, strategy, score, embedding,
       CASE status WHEN 'done' THEN 'labelled' WHEN 'expired' THEN 'expired' ELSE 'selected' END,
       created_at, CASE WHEN status = 'done' THEN updated_at END, updated_at
FROM review_candidates;
