-- 五(一) 开齐开足 and 五(四) 学科师资短缺: the county's overlay on the
-- provincial curriculum plan (each save a version), the schools' published
-- timetables (each publish a version, kept), the inspectors' register
-- findings and spot checks, and the group's staffing matches.
-- +goose Up
CREATE TABLE curriculum_overlays (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE timetables (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    term TEXT NOT NULL,
    seq INTEGER NOT NULL,
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    lessons INTEGER NOT NULL DEFAULT 0,
    published_on DATE NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (school_id, term, seq)
);
CREATE INDEX timetables_term ON timetables(term, school_id);

CREATE TABLE timetable_lessons (
    id INTEGER PRIMARY KEY,
    timetable_id BIGINT NOT NULL REFERENCES timetables(id),
    class_name TEXT NOT NULL,
    grade INTEGER NOT NULL,
    weekday INTEGER NOT NULL,
    period INTEGER NOT NULL,
    subject TEXT NOT NULL,
    staff_id BIGINT REFERENCES staff(id),
    teacher TEXT NOT NULL DEFAULT ''
);
CREATE INDEX timetable_lessons_slot ON timetable_lessons(timetable_id, weekday, period);
CREATE INDEX timetable_lessons_staff ON timetable_lessons(staff_id);

CREATE TABLE curriculum_registers (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    term TEXT NOT NULL,
    responsibility TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    inspector TEXT NOT NULL DEFAULT '',
    updated_by BIGINT REFERENCES users(id),
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (school_id, term)
);

CREATE TABLE curriculum_spot_checks (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    visited_on DATE NOT NULL,
    class_name TEXT NOT NULL,
    period INTEGER NOT NULL,
    observed_subject TEXT NOT NULL,
    observed_teacher TEXT NOT NULL DEFAULT '',
    expected_subject TEXT NOT NULL DEFAULT '',
    expected_teacher TEXT NOT NULL DEFAULT '',
    timetable_id BIGINT REFERENCES timetables(id),
    outcome TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX curriculum_spot_checks_school ON curriculum_spot_checks(school_id, visited_on);

CREATE TABLE staffing_matches (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    term TEXT NOT NULL,
    need_school_id BIGINT NOT NULL REFERENCES schools(id),
    provider_school_id BIGINT NOT NULL REFERENCES schools(id),
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    subject TEXT NOT NULL,
    lessons INTEGER NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    need_ok BOOLEAN NOT NULL DEFAULT FALSE,
    provider_ok BOOLEAN NOT NULL DEFAULT FALSE,
    group_ok BOOLEAN NOT NULL DEFAULT FALSE,
    exchange_id BIGINT,
    service_entry BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX staffing_matches_group ON staffing_matches(group_id, term, status);

-- A kindergarten's 一日活动安排 per term and age group (小班 / 中班 / 大班),
-- each save a version, checked against 《幼儿园工作规程》.
CREATE TABLE kindergarten_days (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    term TEXT NOT NULL,
    level TEXT NOT NULL,
    seq INTEGER NOT NULL,
    boarding BOOLEAN NOT NULL DEFAULT FALSE,
    body TEXT NOT NULL,
    published_on DATE NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (school_id, term, level, seq)
);

-- +goose Down
DROP TABLE kindergarten_days;
DROP TABLE staffing_matches;
DROP TABLE curriculum_spot_checks;
DROP TABLE curriculum_registers;
DROP TABLE timetable_lessons;
DROP TABLE timetables;
DROP TABLE curriculum_overlays;
