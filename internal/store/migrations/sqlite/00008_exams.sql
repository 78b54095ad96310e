-- Exams for the teaching-quality analysis (四(四)1): the exam and its setup,
-- the students' scores in one part per school (a school's re-import
-- replaces exactly its part), and the 任课表 that ties classes to teachers.
-- +goose Up
CREATE TABLE exams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    term TEXT NOT NULL,
    held_on DATE NOT NULL,
    stage TEXT NOT NULL DEFAULT '',
    group_id BIGINT REFERENCES edu_groups(id),
    spec TEXT NOT NULL,
    students INTEGER NOT NULL DEFAULT 0,
    schools INTEGER NOT NULL DEFAULT 0,
    data_version INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX exams_held ON exams(held_on);
CREATE INDEX exams_group ON exams(group_id);

CREATE TABLE exam_parts (
    exam_id BIGINT NOT NULL REFERENCES exams(id),
    school_id BIGINT NOT NULL REFERENCES schools(id),
    students INTEGER NOT NULL,
    payload BLOB NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    imported_by BIGINT REFERENCES users(id),
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (exam_id, school_id)
);
CREATE INDEX exam_parts_school ON exam_parts(school_id);

CREATE TABLE exam_teaching (
    id INTEGER PRIMARY KEY,
    exam_id BIGINT NOT NULL REFERENCES exams(id),
    school_id BIGINT NOT NULL REFERENCES schools(id),
    class_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    teacher TEXT NOT NULL,
    staff_id BIGINT REFERENCES staff(id),
    UNIQUE (exam_id, school_id, class_name, subject)
);
CREATE INDEX exam_teaching_staff ON exam_teaching(staff_id);

-- +goose Down
DROP TABLE exam_teaching;
DROP TABLE exam_parts;
DROP TABLE exams;
