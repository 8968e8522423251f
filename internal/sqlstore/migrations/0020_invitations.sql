-- Invitations to a world: links its owner makes, which let a limited number
-- of people join until they expire or are revoked. The code is secret and
-- stored only as its SHA-256 hash, as refresh tokens are; id names an
-- invitation in its owner's list.
CREATE TABLE world_invitations (
    id         {{.ID}} PRIMARY KEY,
    code_hash  {{.ID}} NOT NULL UNIQUE,
    world_id   {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    created_by {{.ID}} NOT NULL,
    created_at {{.Time}} NOT NULL,
    expires_at {{.Time}} NOT NULL,
    max_uses   INTEGER NOT NULL CHECK (max_uses > 0),
    uses       INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    revoked_at {{.Time}}
);
CREATE INDEX world_invitations_world ON world_invitations (world_id, created_at);

-- A world's members by joining time, for its owner's list.
CREATE INDEX world_members_joined ON world_members (world_id, joined_at, user_id);

-- A member the owner made a co-owner of the world's life settings and
-- moderation.
ALTER TABLE world_members ADD COLUMN co_owner {{.Bool}} NOT NULL DEFAULT {{.False}};
