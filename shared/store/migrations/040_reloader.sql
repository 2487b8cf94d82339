-- Reloader: one rollout in canary/rolling at a time, across reloader replicas (pending ones queue
-- behind it). Owner: reloader.
CREATE UNIQUE INDEX rollouts_one_active ON rollouts ((true)) WHERE state IN ('canary', 'rolling');
CREATE INDEX rollouts_open ON rollouts (started_at) WHERE state IN ('pending', 'canary', 'rolling');
