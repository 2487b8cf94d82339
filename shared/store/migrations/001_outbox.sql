-- Transactional outbox: a service writes its domain rows and the events announcing them in one
-- transaction; the relay publishes pending rows and marks them. Owner: shared/store (used by the
-- studio for corrections and by the orchestrator for model events).
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  topic        text        NOT NULL,
  msg_key      text,
  payload      bytea       NOT NULL,
  headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- the same logical event enqueued twice (a retried request) stays one row
  dedupe_key   text        UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts     integer     NOT NULL DEFAULT 0,
  last_error   text
);
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;
