-- Notifications: what a person is told about. A person has at most one per
-- event key (notifications_once), however often the event is written, so
-- the store inserts them with ON CONFLICT DO NOTHING in the transaction of
-- their event. Optional IDs are '' (see 0001_init.sql). What a notification
-- is about (post, comment, strike) has no foreign key: a notification of
-- content since deleted is left out when read, not deleted with it. It goes
-- with its person (the foreign key) and with its world (DeleteWorld deletes
-- a world's notifications in its transaction; world_id has no foreign key,
-- since it is '' for a notification of no world).
CREATE TABLE notifications (
    id                 {{.ID}} PRIMARY KEY,
    user_id            {{.ID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,
    key                TEXT NOT NULL,
    group_key          TEXT NOT NULL,
    world_id           {{.ID}} NOT NULL DEFAULT '',
    post_id            {{.ID}} NOT NULL DEFAULT '',
    comment_id         {{.ID}} NOT NULL DEFAULT '',
    character_id       {{.ID}} NOT NULL DEFAULT '',
    strike_id          {{.ID}} NOT NULL DEFAULT '',
    invitation_hash    TEXT NOT NULL DEFAULT '',
    actor_user_id      {{.ID}} NOT NULL DEFAULT '',
    actor_character_id {{.ID}} NOT NULL DEFAULT '',
    actor_name         TEXT NOT NULL DEFAULT '',
    text               TEXT NOT NULL DEFAULT '',
    created_at         {{.Time}} NOT NULL,
    read_at            {{.Time}},
    CONSTRAINT notifications_once UNIQUE (user_id, key)
);
-- A person's notifications, newest first (the list and its pages).
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC, id DESC);
-- A person's unread notifications (the count on the bell).
CREATE INDEX notifications_unread ON notifications (user_id, created_at) WHERE read_at IS NULL;
-- Everyone's notifications by time (the live streams' NotificationsSince).
CREATE INDEX notifications_time ON notifications (created_at, id);
-- A world's notifications, deleted with it.
CREATE INDEX notifications_world ON notifications (world_id) WHERE world_id <> '';

-- The kinds of notification a person turned off.
CREATE TABLE notification_mutes (
    user_id {{.ID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
