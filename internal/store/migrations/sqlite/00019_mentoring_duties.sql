-- 三(二) 教师结对, the duties: the activities a pair logs (entered by one
-- person, confirmed by the other) and the term-end reviews (the mentee's
-- reflection, the mentor's assessment, the school's view and grade).
-- +goose Up
CREATE TABLE mentoring_activities (
    id INTEGER PRIMARY KEY,
    pair_id BIGINT NOT NULL REFERENCES mentoring_pairs(id),
    term TEXT NOT NULL,
    kind TEXT NOT NULL,
    held_on DATE NOT NULL,
    topic TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    observation_link TEXT NOT NULL DEFAULT '',
    entered_party TEXT NOT NULL,
    entered_by BIGINT REFERENCES users(id),
    status TEXT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMP,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX mentoring_activities_pair ON mentoring_activities(pair_id, term, kind, status);
CREATE INDEX mentoring_activities_pending ON mentoring_activities(status, pair_id);

CREATE TABLE mentoring_reviews (
    id INTEGER PRIMARY KEY,
    pair_id BIGINT NOT NULL REFERENCES mentoring_pairs(id),
    term TEXT NOT NULL,
    mentee_reflection TEXT NOT NULL DEFAULT '',
    mentee_by BIGINT REFERENCES users(id),
    mentee_at TIMESTAMP,
    mentor_assessment TEXT NOT NULL DEFAULT '',
    mentor_grade TEXT NOT NULL DEFAULT '',
    mentor_by BIGINT REFERENCES users(id),
    mentor_at TIMESTAMP,
    school_view TEXT NOT NULL DEFAULT '',
    grade TEXT NOT NULL DEFAULT '',
    school_by BIGINT REFERENCES users(id),
    school_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (pair_id, term)
);

-- +goose Down
DROP TABLE mentoring_reviews;
DROP TABLE mentoring_activities;
