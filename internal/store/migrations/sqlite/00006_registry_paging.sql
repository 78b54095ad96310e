-- Indexes for paging the registry lists at province scale: one per sort the
-- lists allow, each ending with the list's unique tie-break column, so that
-- the page of ids (forward from the start or backward from the end) is read
-- from the index alone and only the page's rows are joined. Staff: title,
-- subject and post (also the post, title and status filters with the default
-- sort); schools: classes, staff count, stage, tier and (township, code) for
-- the township sort; groups: founding date and mode. And the current
-- members of a group, so a page of groups counts its members and sums their
-- students from the index.
-- +goose Up
CREATE INDEX staff_title ON staff(title, id);
CREATE INDEX staff_subject ON staff(subject, id);
CREATE INDEX staff_post ON staff(post, id);
CREATE INDEX staff_status ON staff(status, id);
CREATE INDEX schools_classes ON schools(classes, code);
CREATE INDEX schools_staff_count ON schools(staff_count, code);
CREATE INDEX schools_stage ON schools(stage, code);
CREATE INDEX schools_tier ON schools(tier, code);
CREATE INDEX schools_township_code ON schools(township_id, code);
CREATE INDEX edu_groups_founded_on ON edu_groups(founded_on, id);
CREATE INDEX edu_groups_mode ON edu_groups(mode, id);
CREATE INDEX group_members_current ON group_members(group_id, school_id) WHERE left_on IS NULL;

-- +goose Down
DROP INDEX group_members_current;
DROP INDEX edu_groups_mode;
DROP INDEX edu_groups_founded_on;
DROP INDEX schools_township_code;
DROP INDEX schools_tier;
DROP INDEX schools_stage;
DROP INDEX schools_staff_count;
DROP INDEX schools_classes;
DROP INDEX staff_status;
DROP INDEX staff_post;
DROP INDEX staff_subject;
DROP INDEX staff_title;
