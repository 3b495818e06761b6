-- Figures of lessons (API.md section 13), by the path a lesson's body names them with.
-- Their bodies are kept in media_blobs under <sha256>.<ext>, once per content.
CREATE TABLE lesson_figures (
    slug TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (slug, path)
);
