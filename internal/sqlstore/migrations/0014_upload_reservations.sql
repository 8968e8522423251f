-- Uploads under way: their bytes count against their owner's quota from
-- before they are decoded until they are stored (the media row of the same
-- ID replaces them) or fail, so that concurrent uploads cannot pass the
-- quota together. No foreign key, as media's owner_id.
CREATE TABLE upload_reservations (
    id         {{.ID}} PRIMARY KEY,
    owner_id   {{.ID}} NOT NULL,
    size       {{.BigInt}} NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX upload_reservations_owner ON upload_reservations (owner_id, created_at);
