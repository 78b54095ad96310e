-- The group's rulebook (制度共建, 三(五)): a rule of a group in one category,
-- its versions (a draft, then published with an effective date, then
-- superseded by the next), and each member school's answer to a published
-- version: pending, adopted (确认执行, who and when) or objected with a
-- reason, which the group may answer. One answer per school per version.
-- +goose Up
CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rules_group ON rules (group_id, category);

CREATE TABLE rule_versions (
    id INTEGER PRIMARY KEY,
    rule_id BIGINT NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
    no INTEGER NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    articles TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft',
    effective_on DATE,
    confirm_by DATE,
    published_at TIMESTAMP,
    published_by TEXT NOT NULL DEFAULT '',
    superseded_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (rule_id, no)
);

CREATE TABLE rule_adoptions (
    id INTEGER PRIMARY KEY,
    rule_version_id BIGINT NOT NULL REFERENCES rule_versions(id) ON DELETE CASCADE,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    status TEXT NOT NULL DEFAULT 'pending',
    reason TEXT NOT NULL DEFAULT '',
    answered_by TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMP,
    reply TEXT NOT NULL DEFAULT '',
    replied_by TEXT NOT NULL DEFAULT '',
    replied_at TIMESTAMP,
    UNIQUE (rule_version_id, school_id)
);
CREATE INDEX rule_adoptions_school ON rule_adoptions (school_id, status);

-- +goose Down
DROP TABLE rule_adoptions;
DROP TABLE rule_versions;
DROP TABLE rules;
