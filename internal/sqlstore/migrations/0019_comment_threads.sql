-- A deleted comment that has replies stays, without its text, as a
-- "deleted" place in its thread; deleted_at says when it was deleted.
-- Such a comment is no longer counted on its post.
ALTER TABLE comments ADD COLUMN deleted_at {{.Time}};
