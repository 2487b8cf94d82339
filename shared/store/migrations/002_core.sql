-- Core tables of the active-learning loop. Each table has one writer (owner); others only read.
-- Offsets in entity JSON are UTF-16 code units (JavaScript String indices), as on the topics.

-- Review queue. Owner: sampler (inserts, re-scores, expires). The studio claims and resolves items.
CREATE TABLE review_candidates (
  candidate_id     text PRIMARY KEY,
  doc_id           text             NOT NULL,
  source           text             NOT NULL,
  text             text             NOT NULL,
  -- sha256 of the dedup-normalised text: a near-duplicate never enters the queue twice
  text_hash        text             NOT NULL UNIQUE,
  model_version    text             NOT NULL,
  strategy         text             NOT NULL,
  score            double precision NOT NULL,
  scores           jsonb            NOT NULL DEFAULT '{}'::jsonb,
  cluster          integer,
  novelty          double precision,
  priority         double precision NOT NULL,
  predicted        jsonb            NOT NULL DEFAULT '[]'::jsonb,
  embedding        real[],
  status           text             NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'done', 'skipped', 'expired')),
  claimed_by       text,
  claimed_at       timestamptz,
  claim_expires_at timestamptz,
  created_at       timestamptz      NOT NULL DEFAULT now(),
  updated_at       timestamptz      NOT NULL DEFAULT now(),
  rescored_at      timestamptz
);
CREATE INDEX review_candidates_open ON review_candidates (priority DESC, created_at) WHERE status = 'open';
CREATE INDEX review_candidates_status ON review_candidates (status);

-- People and their API tokens. Owner: studio (CLI creates them). Tokens are stored hashed only.
CREATE TABLE annotators (
  annotator_id text        PRIMARY KEY,
  display_name text        NOT NULL,
  role         text        NOT NULL CHECK (role IN ('annotator', 'admin')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  disabled_at  timestamptz
);
CREATE TABLE api_tokens (
  token_id     text        PRIMARY KEY,
  annotator_id text        NOT NULL REFERENCES annotators (annotator_id),
  token_hash   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- Corrections as submitted. Owner: studio (written with the outbox row that publishes them).
CREATE TABLE corrections (
  correction_id text        PRIMARY KEY,
  candidate_id  text,
  doc_id        text        NOT NULL,
  text          text        NOT NULL,
  text_hash     text        NOT NULL,
  annotator_id  text        NOT NULL,
  revision      integer     NOT NULL,
  entities      jsonb       NOT NULL,
  predicted     jsonb,
  model_version text,
  origin        text        NOT NULL CHECK (origin IN ('STUDIO', 'ADJUDICATION', 'IMPORT', 'SIMULATION')),
  status        text        NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'superseded', 'rejected')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (candidate_id, annotator_id, revision)
);
CREATE INDEX corrections_text_hash ON corrections (text_hash);
CREATE INDEX corrections_annotator ON corrections (annotator_id, created_at DESC);
CREATE INDEX corrections_created ON corrections (created_at);

-- Adjudicated gold for a text that received conflicting corrections. Owner: studio (admin).
CREATE TABLE adjudications (
  adjudication_id      text        PRIMARY KEY,
  text_hash            text        NOT NULL,
  doc_id               text        NOT NULL,
  text                 text        NOT NULL,
  entities             jsonb       NOT NULL,
  chosen_correction_id text,
  adjudicator_id       text        NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX adjudications_text_hash ON adjudications (text_hash, created_at DESC);

-- Corrections as received from the corrections topic: the training pool. Owner: trainer-orchestrator.
CREATE TABLE training_examples (
  correction_id text        PRIMARY KEY,
  text_hash     text        NOT NULL,
  doc_id        text        NOT NULL,
  text          text        NOT NULL,
  entities      jsonb       NOT NULL,
  annotator_id  text        NOT NULL,
  origin        text        NOT NULL,
  -- a stable share of corrections is held out to measure the model on corrected data
  split         text        NOT NULL CHECK (split IN ('train', 'holdout')),
  received_at   timestamptz NOT NULL DEFAULT now(),
  first_used_in text
);
CREATE INDEX training_examples_unused ON training_examples (received_at) WHERE first_used_in IS NULL;

-- Fine-tuning runs. Owner: trainer-orchestrator.
CREATE TABLE training_runs (
  run_id       text        PRIMARY KEY,
  status       text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'rejected')),
  trigger      text        NOT NULL CHECK (trigger IN ('schedule', 'backlog', 'manual')),
  base_version text,
  new_version  text,
  config       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  data_stats   jsonb       NOT NULL DEFAULT '{}'::jsonb,
  progress     jsonb       NOT NULL DEFAULT '[]'::jsonb,
  metrics      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  gate         jsonb,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz
);

-- Model registry. Owner: trainer-orchestrator. Metrics: {"dev": {"f1":..,"per_type":{..}}, "holdout": {..}}.
CREATE TABLE model_versions (
  version         text        PRIMARY KEY,
  name            text        NOT NULL,
  uri             text        NOT NULL,
  manifest_sha256 text        NOT NULL,
  parent_version  text,
  status          text        NOT NULL CHECK (status IN ('registered', 'candidate', 'promoted', 'rejected', 'rolled_back', 'retired')),
  metrics         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  training_run_id text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  promoted_at     timestamptz
);

-- Tagger replicas as last heard from. Owner: reloader (from heartbeats).
CREATE TABLE replicas (
  replica_id      text        PRIMARY KEY,
  service         text        NOT NULL,
  model_version   text,
  state           text        NOT NULL,
  last_command_id text,
  last_error      text,
  docs_tagged     bigint      NOT NULL DEFAULT 0,
  errors          bigint      NOT NULL DEFAULT 0,
  p99_latency_ms  real,
  last_seen       timestamptz NOT NULL DEFAULT now()
);

-- Rollouts of a model version across replicas. Owner: reloader.
CREATE TABLE rollouts (
  rollout_id       text        PRIMARY KEY,
  model_version    text        NOT NULL,
  previous_version text,
  state            text        NOT NULL CHECK (state IN ('pending', 'canary', 'rolling', 'completed', 'rolled_back', 'failed')),
  canary_replica   text,
  detail           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  started_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX rollouts_recent ON rollouts (started_at DESC);
