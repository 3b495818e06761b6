-- Failed log-ins by client address (API.md section 3), one row each, kept for a minute. They
-- are counted in the database so that every instance sharing it counts the same failures.
CREATE TABLE login_failures (
    address TEXT NOT NULL,
    failed_at_ms BIGINT NOT NULL
);
CREATE INDEX login_failures_by_address ON login_failures (address, failed_at_ms);
CREATE INDEX login_failures_by_time ON login_failures (failed_at_ms);
