-- Types admitted to the label set before any model knows them (an admin added one in the studio).
-- Owner: trainer-orchestrator. The published label set = the promoted model's entity types plus
-- the admitted types not removed (LABEL_SET, when set, overrides both).
CREATE TABLE label_types (
  type        text        PRIMARY KEY,
  admitted_at timestamptz NOT NULL DEFAULT now(),
  admitted_by text        NOT NULL,
  note        text,
  removed_at  timestamptz,
  removed_by  text
);

-- The label set a correction was made under (its event's labelSet, else the label set when it
-- arrived): types outside it were not annotated, so training treats them as unknown there.
ALTER TABLE training_examples ADD COLUMN label_set text[];
