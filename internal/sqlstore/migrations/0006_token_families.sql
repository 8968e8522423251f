-- Token families: one per sign-in of an API client. Access tokens carry their
-- family and generation; a refresh moves the family to its next generation,
-- and a revoked family ends all its tokens at once. Refresh tokens are kept,
-- spent, so that a replay of one is seen and revokes its family.
CREATE TABLE token_families (
    id         {{.ID}} PRIMARY KEY,
    user_id    {{.ID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    expires_at {{.Time}} NOT NULL,
    created_at {{.Time}} NOT NULL,
    revoked_at {{.Time}}
);
CREATE INDEX token_families_user ON token_families (user_id);

-- Tokens from before families have none (''): they no longer refresh.
ALTER TABLE refresh_tokens ADD COLUMN family_id TEXT NOT NULL DEFAULT '';
ALTER TABLE refresh_tokens ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refresh_tokens ADD COLUMN spent_at {{.Time}};
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
