-- Mail and learning-event webhooks (API.md sections 12 and 16).

-- Whether the account's address has been shown to reach its owner.
ALTER TABLE users ADD COLUMN email_verified BIGINT NOT NULL DEFAULT 0;

-- One-use tokens of mailed links, stored only as a SHA-256 hash. `new_email` is the address
-- an email change moves to; `next` is where a sign-in link leads.
CREATE TABLE mail_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'sign_in', 'verify_email', 'confirm_email')),
    new_email TEXT,
    next TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX mail_links_by_user ON mail_links (user_id);
CREATE INDEX mail_links_by_expiry ON mail_links (expires_at);

-- Endpoints admins registered; `events` is a JSON array of event types.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Messages to deliver, each written in the transaction of the change that causes it: a mail
-- (`recipient`, `payload` the whole RFC 5322 message, `message_id` its Message-ID) or one
-- event for one endpoint (`payload` the signed JSON body, `message_id` the event id, which is
-- the `webhook-id`). A delivered mail's payload is cleared; the row stays as its record.
-- A worker claims a row by setting `claimed_until`; a claim that runs out (the worker died)
-- is taken by the next worker.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('mail', 'webhook')),
    message_id TEXT NOT NULL,
    recipient TEXT,
    endpoint_id TEXT REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    payload TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    last_status_code BIGINT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    delivered_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_recipient ON outbox (recipient, created_at);
CREATE INDEX outbox_by_endpoint ON outbox (endpoint_id, created_at);
