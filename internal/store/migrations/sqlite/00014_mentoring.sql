-- 三(二) 教师结对: a mentor and a mentee, usually of different schools of one
-- group, with the four confirmations (both people, both schools) that make
-- the pair active, and the steps taken on it.
-- +goose Up
CREATE TABLE mentoring_pairs (
    id INTEGER PRIMARY KEY,
    group_id BIGINT REFERENCES edu_groups(id),
    mentor_staff_id BIGINT NOT NULL REFERENCES staff(id),
    mentee_staff_id BIGINT NOT NULL REFERENCES staff(id),
    mentor_school_id BIGINT NOT NULL REFERENCES schools(id),
    mentee_school_id BIGINT NOT NULL REFERENCES schools(id),
    subject TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    start_term TEXT NOT NULL,
    end_term TEXT NOT NULL,
    goals TEXT NOT NULL DEFAULT '',
    named_reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    mentor_confirmed_by BIGINT REFERENCES users(id),
    mentee_confirmed_by BIGINT REFERENCES users(id),
    mentor_school_confirmed_by BIGINT REFERENCES users(id),
    mentee_school_confirmed_by BIGINT REFERENCES users(id),
    mentor_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    mentee_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    mentor_school_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    mentee_school_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX mentoring_pairs_group ON mentoring_pairs(group_id, status);
CREATE INDEX mentoring_pairs_mentor ON mentoring_pairs(mentor_staff_id, status);
CREATE INDEX mentoring_pairs_mentee ON mentoring_pairs(mentee_staff_id, status);
CREATE INDEX mentoring_pairs_mentor_school ON mentoring_pairs(mentor_school_id);
CREATE INDEX mentoring_pairs_mentee_school ON mentoring_pairs(mentee_school_id);

CREATE TABLE mentoring_steps (
    id INTEGER PRIMARY KEY,
    pair_id BIGINT NOT NULL REFERENCES mentoring_pairs(id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    user_id BIGINT REFERENCES users(id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX mentoring_steps_pair ON mentoring_steps(pair_id, id);

-- +goose Down
DROP TABLE mentoring_steps;
DROP TABLE mentoring_pairs;
