-- Trainer-orchestrator bookkeeping on top of 002_core. Owner: trainer-orchestrator.

-- The training pool: revisions, the one active correction per text, and what each model learned.
ALTER TABLE training_examples
  ADD COLUMN revision      integer NOT NULL DEFAULT 0,
  -- Correction.createdAt: when the annotator made it (received_at is when we consumed it)
  ADD COLUMN corrected_at  timestamptz,
  ADD COLUMN model_version text,
  -- the correction of the same text that replaced this one for training (NULL = this one is active)
  ADD COLUMN superseded_by text,
  -- the promoted model version whose training run used this example (NULL = not learned yet)
  ADD COLUMN learned_in    text;
CREATE INDEX training_examples_text_hash ON training_examples (text_hash);
CREATE INDEX training_examples_active ON training_examples (split, received_at) WHERE superseded_by IS NULL;

-- Runs: who runs it, where its files are, and a heartbeat so a dead process's run can be failed.
ALTER TABLE training_runs
  ADD COLUMN owner        text,
  ADD COLUMN run_dir      text,
  ADD COLUMN heartbeat_at timestamptz;
-- One run at a time, across replicas: a second queued/running row violates this index.
CREATE UNIQUE INDEX training_runs_one_active ON training_runs ((true)) WHERE status IN ('queued', 'running');
CREATE INDEX training_runs_recent ON training_runs (created_at DESC);

-- The corrections each run trained on (marked learned when its model is promoted).
CREATE TABLE training_run_examples (
  run_id        text NOT NULL,
  correction_id text NOT NULL,
  PRIMARY KEY (run_id, correction_id)
);

CREATE INDEX model_versions_status ON model_versions (status);
CREATE INDEX model_versions_run ON model_versions (training_run_id);
