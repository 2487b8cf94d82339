-- The entity types of each registered version (from its manifest), published by the registry API
-- (GET /models) so no other service reads model directories. Owner: trainer-orchestrator; rows
-- registered before this column are filled from their manifests at start-up.
ALTER TABLE model_versions ADD COLUMN entity_types text[] NOT NULL DEFAULT '{}';
