-- Accounts: the server knows only SHA-256 of the client's auth key and the last cursor given out.
CREATE TABLE accounts (
    id          uuid PRIMARY KEY,
    auth_hash   bytea NOT NULL CHECK (octet_length(auth_hash) = 32),
    last_cursor bigint NOT NULL DEFAULT 0 CHECK (last_cursor >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Devices: one bearer token each, stored as SHA-256; last_seq is the last batch seq stored.
CREATE TABLE devices (
    id           uuid PRIMARY KEY,
    account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    last_seq     bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_account_id ON devices (account_id);

-- Batches: opaque ciphertext, dense cursors per account, one row per (device, seq).
CREATE TABLE batches (
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    cursor     bigint NOT NULL CHECK (cursor >= 1),
    device_id  uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    seq        bigint NOT NULL CHECK (seq >= 1),
    digest     bytea NOT NULL CHECK (octet_length(digest) = 32),
    ciphertext bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, cursor),
    UNIQUE (device_id, seq)
);
-- Ciphertext does not compress: store it out of line without trying.
ALTER TABLE batches ALTER COLUMN ciphertext SET STORAGE EXTERNAL;

-- Snapshots: at most one per account, the newest by cursor.
CREATE TABLE snapshots (
    account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    device_id  uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    cursor     bigint NOT NULL CHECK (cursor >= 0),
    ciphertext bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE snapshots ALTER COLUMN ciphertext SET STORAGE EXTERNAL;
