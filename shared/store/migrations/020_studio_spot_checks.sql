-- Spot checks of corrections by an admin (the studio's Adjudicate page): each checked correction
-- gets a verdict per reviewer. Owner: studio. Feeds the per-annotator quality figures and points.
CREATE TABLE correction_reviews (
  correction_id text        NOT NULL REFERENCES corrections (correction_id),
  reviewer_id   text        NOT NULL,
  verdict       text        NOT NULL CHECK (verdict IN ('ok', 'wrong')),
  note          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (correction_id, reviewer_id)
);
CREATE INDEX correction_reviews_recent ON correction_reviews (created_at DESC);
