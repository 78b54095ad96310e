-- The workbench's notifications: events addressed to one person (an
-- application reached you, yours was approved or returned, a deadline is
-- near), each stored once per event and recipient; what each person wants
-- delivered outward and where; the outward deliveries with their retries and
-- dead letters; and the reminders already sent, so each goes out once.
-- +goose Up
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    UNIQUE (user_id, event_key)
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

CREATE TABLE notification_prefs (
    user_id BIGINT NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL DEFAULT '',
    webhook_kind TEXT NOT NULL DEFAULT '',
    webhook_url TEXT NOT NULL DEFAULT '',
    webhook_secret TEXT NOT NULL DEFAULT '',
    kinds TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE notification_outbox (
    id INTEGER PRIMARY KEY,
    notification_id BIGINT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TIMESTAMP NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at TIMESTAMP,
    UNIQUE (notification_id, channel)
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_at);

CREATE TABLE sent_reminders (
    task_key TEXT NOT NULL,
    offset_days INTEGER NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (task_key, offset_days, user_id)
);

-- +goose Down
DROP TABLE sent_reminders;
DROP TABLE notification_outbox;
DROP TABLE notification_prefs;
DROP TABLE notifications;
