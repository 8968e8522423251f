-- What a model's answers needed, and images paid for but not yet stored.
--
-- repairs lists, comma-separated, the repairs a call's answer needed
-- (unfenced, trimmed, topped_up, ...); answers_repaired counts the calls of
-- a world whose answers needed one, answers_invalid those whose answers could
-- not be used, and answers_invalid_cost_usd what those cost.
ALTER TABLE provider_calls ADD COLUMN repairs TEXT NOT NULL DEFAULT '';
ALTER TABLE generation_status ADD COLUMN answers_repaired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN answers_invalid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generation_status ADD COLUMN answers_invalid_cost_usd {{.Float}} NOT NULL DEFAULT 0;

-- A generated image is kept here, in the same transaction as its ledger
-- row, from the moment it is paid for until its media row exists, so that
-- an image whose upload to the media store failed is never paid for again.
-- id is the media ID the image will have.
CREATE TABLE paid_images (
    id           {{.ID}} PRIMARY KEY,
    world_id     {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data         {{.Bytes}} NOT NULL,
    model        TEXT NOT NULL DEFAULT '',
    created_at   {{.Time}} NOT NULL
);
CREATE INDEX paid_images_world ON paid_images (world_id);
