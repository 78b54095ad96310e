-- Indexes for the registry lists at province scale: sorting schools by
-- students, and paging staff by id with a narrow covering index (the table
-- itself is wide, so walking it for an OFFSET reads ten times the pages).
-- +goose Up
CREATE INDEX schools_students ON schools(students, code);
CREATE INDEX staff_id ON staff(id);

-- +goose Down
DROP INDEX staff_id;
DROP INDEX schools_students;
