-- Uploads by their owner and time: the upload quota reads an account's
-- last hour, the clean-up the oldest uploads.
CREATE INDEX media_owner ON media (owner_id, created_at) WHERE owner_id IS NOT NULL;
CREATE INDEX posts_media ON posts (media_id);
CREATE INDEX characters_avatar ON characters (avatar_media_id);
