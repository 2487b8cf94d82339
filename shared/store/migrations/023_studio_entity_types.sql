-- Entity types as annotators see them: colour, shortcut key and a versioned guideline per type.
-- Owner: studio. Which types corrections may use is the registry's label set (the orchestrator
-- admits a type the studio adds); these tables hold only how the studio presents and explains it.
CREATE TABLE entity_types (
  type        text        PRIMARY KEY,
  colour      text        NOT NULL,
  shortcut    text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text        NOT NULL,
  removed_at  timestamptz,
  removed_by  text,
  removal_note text
);

-- Append-only: a new guideline text is a new version; corrections record the version they were made under.
CREATE TABLE entity_type_guidelines (
  type        text        NOT NULL,
  version     int         NOT NULL,
  body        text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text        NOT NULL,
  PRIMARY KEY (type, version)
);

-- What the annotator was offered: the label set and the guideline version of each type.
ALTER TABLE corrections ADD COLUMN label_set text[];
ALTER TABLE corrections ADD COLUMN guideline_versions jsonb;
