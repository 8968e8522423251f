-- Trust and safety: review states of content, roles and standing of
-- accounts, reports and cases, strikes and appeals, the audit log.
--
-- A review state is '' (visible), 'held' or 'hidden'; its labels are
-- categories of the moderation taxonomy joined by commas (no category holds
-- one); its reason is for the author and moderators.
ALTER TABLE posts ADD COLUMN review_state TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN review_labels TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN review_state TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN review_labels TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE characters ADD COLUMN review_state TEXT NOT NULL DEFAULT '';
ALTER TABLE characters ADD COLUMN review_labels TEXT NOT NULL DEFAULT '';
ALTER TABLE characters ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE characters ADD COLUMN silenced {{.Bool}} NOT NULL DEFAULT {{.False}};
ALTER TABLE worlds ADD COLUMN review_state TEXT NOT NULL DEFAULT '';
ALTER TABLE worlds ADD COLUMN review_labels TEXT NOT NULL DEFAULT '';
ALTER TABLE worlds ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE worlds ADD COLUMN frozen {{.Bool}} NOT NULL DEFAULT {{.False}};
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN standing TEXT NOT NULL DEFAULT '';
CREATE INDEX users_staff ON users (role) WHERE role <> '';

-- The generated items a check held, each counted once in its world's
-- items_held, however often it is held again.
ALTER TABLE generation_status ADD COLUMN items_held INTEGER NOT NULL DEFAULT 0;
CREATE TABLE held_items (
    world_id     {{.ID}} NOT NULL REFERENCES worlds (id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id   {{.ID}} NOT NULL,
    PRIMARY KEY (world_id, subject_type, subject_id)
);

-- Cases, reports, strikes and the audit log outlive the content they are
-- about: subject ids are plain text with no foreign key (a deleted world
-- must not cascade into them), and each keeps a snapshot of the content.
--
-- One case per subject is open at a time (cases_open_subject).
CREATE TABLE cases (
    id           {{.ID}} PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id   {{.ID}} NOT NULL,
    world_id     {{.ID}} NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    source       TEXT NOT NULL,
    score        {{.Float}} NOT NULL DEFAULT 0,
    reports      INTEGER NOT NULL DEFAULT 0,
    snapshot     {{.JSON}} NOT NULL,
    verdict      {{.JSON}},
    resolution   TEXT NOT NULL DEFAULT '',
    created_at   {{.Time}} NOT NULL,
    updated_at   {{.Time}} NOT NULL,
    resolved_at  {{.Time}}
);
CREATE UNIQUE INDEX cases_open_subject ON cases (subject_type, subject_id) WHERE status = 'open';
CREATE INDEX cases_queue ON cases (status, score DESC, created_at, id);
CREATE INDEX cases_newest ON cases (created_at DESC, id DESC);

-- One report per reporter in a case.
CREATE TABLE reports (
    id           {{.ID}} PRIMARY KEY,
    case_id      {{.ID}} NOT NULL,
    reporter_id  {{.ID}} NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   {{.ID}} NOT NULL,
    reason       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    weight       {{.Float}} NOT NULL,
    snapshot     {{.JSON}} NOT NULL,
    created_at   {{.Time}} NOT NULL,
    CONSTRAINT reports_once UNIQUE (case_id, reporter_id)
);
CREATE INDEX reports_reporter ON reports (reporter_id);

-- A strike and its one appeal: appeal_state is '' (none), 'pending',
-- 'accepted' or 'rejected'.
CREATE TABLE strikes (
    id           {{.ID}} PRIMARY KEY,
    user_id      {{.ID}} NOT NULL,
    case_id      {{.ID}} NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL DEFAULT '',
    subject_id   {{.ID}} NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    snapshot     {{.JSON}} NOT NULL,
    created_at   {{.Time}} NOT NULL,
    appeal_state TEXT NOT NULL DEFAULT '',
    appeal_text  TEXT NOT NULL DEFAULT '',
    appealed_at  {{.Time}},
    decided_at   {{.Time}},
    decided_by   {{.ID}} NOT NULL DEFAULT '',
    decision     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX strikes_user ON strikes (user_id, created_at DESC, id DESC);

-- The audit log is append-only: the store never updates or deletes its
-- rows. seq orders it as it was written.
CREATE TABLE audit_log (
    seq          {{.Serial}},
    id           {{.ID}} NOT NULL,
    actor        {{.ID}} NOT NULL,
    verb         TEXT NOT NULL,
    subject_type TEXT NOT NULL DEFAULT '',
    subject_id   {{.ID}} NOT NULL DEFAULT '',
    case_id      {{.ID}} NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    snapshot     {{.JSON}},
    detail       {{.JSON}},
    created_at   {{.Time}} NOT NULL,
    CONSTRAINT audit_log_id UNIQUE (id)
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);

-- The provider ledger by time, for the operator's spending.
CREATE INDEX provider_calls_time ON provider_calls (created_at);
