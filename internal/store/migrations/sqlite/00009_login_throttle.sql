-- The login throttle per source address (and per address + username): failed
-- logins counted in a window, and the time a bucket is refused until. Kept in
-- the database so the limit holds across instances.
-- +goose Up
CREATE TABLE login_throttle (
    bucket TEXT NOT NULL PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

-- +goose Down
DROP TABLE login_throttle;
