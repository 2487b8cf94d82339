-- Routing of review work (owner: studio): a correction that must be checked by hand (every one of
-- a new annotator's first N, then a sampled share), and how many annotators each queue item needs
-- (a configured share of items goes to two, for ongoing agreement).
ALTER TABLE corrections ADD COLUMN review_required boolean NOT NULL DEFAULT false;
CREATE INDEX corrections_review_required ON corrections (annotator_id, created_at) WHERE review_required;
