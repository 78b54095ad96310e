-- Term plans (计划共融, 三(三)): a group's plan round for one term with its
-- template of sections, a deadline and the member schools that must submit;
-- each school's plan (the working copy) and every version it submitted with
-- the group's decision on it; the group plan compiled from the accepted
-- plans, edited and published, kept on the round.
-- +goose Up
CREATE TABLE plan_rounds (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    term TEXT NOT NULL,
    title TEXT NOT NULL,
    sections TEXT NOT NULL,
    deadline DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    group_items TEXT NOT NULL DEFAULT '[]',
    plan_text TEXT NOT NULL DEFAULT '',
    published_entries TEXT NOT NULL DEFAULT '[]',
    published_text TEXT NOT NULL DEFAULT '',
    published_at TIMESTAMP,
    published_by BIGINT REFERENCES users(id),
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (group_id, term)
);

CREATE TABLE plan_round_schools (
    round_id BIGINT NOT NULL REFERENCES plan_rounds(id) ON DELETE CASCADE,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    PRIMARY KEY (round_id, school_id)
);
CREATE INDEX plan_round_schools_school ON plan_round_schools (school_id);

CREATE TABLE school_plans (
    id INTEGER PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES plan_rounds(id) ON DELETE CASCADE,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    status TEXT NOT NULL DEFAULT 'draft',
    content TEXT NOT NULL,
    submitted_on DATE,
    review_comment TEXT NOT NULL DEFAULT '',
    updated_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (round_id, school_id)
);

CREATE TABLE school_plan_versions (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES school_plans(id) ON DELETE CASCADE,
    no INTEGER NOT NULL,
    content TEXT NOT NULL,
    submitted_by TEXT NOT NULL DEFAULT '',
    submitted_at TIMESTAMP NOT NULL,
    decision TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    reviewed_by TEXT NOT NULL DEFAULT '',
    reviewed_at TIMESTAMP,
    UNIQUE (plan_id, no)
);

-- +goose Down
DROP TABLE school_plan_versions;
DROP TABLE school_plans;
DROP TABLE plan_round_schools;
DROP TABLE plan_rounds;
