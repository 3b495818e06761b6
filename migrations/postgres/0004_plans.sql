-- Paid-plan capabilities: lesson narrations registered at import, and billing events
-- applied once each.

-- A lesson's narration: the MP3 and its 30-second preview are files in the data folder
-- (media/audio/<sha256>.mp3 and <sha256>.preview.mp3), named by the content hash.
CREATE TABLE lesson_audio (
    slug TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    preview_bytes BIGINT NOT NULL,
    preview_duration_ms BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Billing webhook events already applied (a replayed id changes nothing).
CREATE TABLE billing_events (
    id TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
);
