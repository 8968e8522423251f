-- The error of a failed generation as anyone but the world's owner may read
-- it: what failed and the class of why, never a provider's own words.
-- Worlds that failed before have none; they show their error as it was.
ALTER TABLE generation_status ADD COLUMN error_public TEXT NOT NULL DEFAULT '';
