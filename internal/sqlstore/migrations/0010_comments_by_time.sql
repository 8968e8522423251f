-- A world's live stream reads the comments added since a moment.
CREATE INDEX comments_created ON comments (created_at);
