-- Media bodies (narrations and their previews) kept in the database, so every instance
-- sharing it can serve them; the files under <data dir>/media are a cache made from here.
CREATE TABLE media_blobs (
    name TEXT PRIMARY KEY,
    body BLOB NOT NULL
);
