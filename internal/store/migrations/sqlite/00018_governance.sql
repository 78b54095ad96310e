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

-- Meetings (五(三) 定期召开工作会议) of a group, or of the county when
-- group_id is null: type, date, place, minutes, the attendees per school,
-- and the decisions as follow-ups (督办) owned by a school and a person,
-- due on a date, with progress reports, closed by the organiser.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    group_id BIGINT REFERENCES edu_groups(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on DATE NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX meetings_group ON meetings (group_id, held_on);

CREATE TABLE meeting_attendees (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    names TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, school_id)
);
CREATE INDEX meeting_attendees_school ON meeting_attendees (school_id);

CREATE TABLE followups (
    id INTEGER PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    decision TEXT NOT NULL,
    owner_school_id BIGINT NOT NULL REFERENCES schools(id),
    owner_person TEXT NOT NULL,
    due_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'not_started',
    closing_note TEXT NOT NULL DEFAULT '',
    closed_by TEXT NOT NULL DEFAULT '',
    closed_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX followups_owner ON followups (owner_school_id, status);
CREATE INDEX followups_due ON followups (status, due_on);

CREATE TABLE followup_reports (
    id INTEGER PRIMARY KEY,
    followup_id BIGINT NOT NULL REFERENCES followups(id) ON DELETE CASCADE,
    progress TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    reported_by TEXT NOT NULL DEFAULT '',
    reported_at TIMESTAMP NOT NULL
);
CREATE INDEX followup_reports_followup ON followup_reports (followup_id);

-- Member reports (五(三) 各校要定期汇报): a member school's periodic report
-- of one kind and period to its group (本期完成工作、存在问题、下期计划、需协调事项),
-- submitted, then accepted with the group's guidance or returned.
CREATE TABLE member_reports (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    school_id BIGINT NOT NULL REFERENCES schools(id),
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    due_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'submitted',
    done TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '',
    next_plan TEXT NOT NULL DEFAULT '',
    help TEXT NOT NULL DEFAULT '',
    submitted_on DATE NOT NULL,
    submitted_by TEXT NOT NULL DEFAULT '',
    guidance TEXT NOT NULL DEFAULT '',
    reviewed_by TEXT NOT NULL DEFAULT '',
    reviewed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (group_id, school_id, kind, period)
);
CREATE INDEX member_reports_school ON member_reports (school_id, status);

-- +goose Down
DROP TABLE member_reports;
DROP TABLE followup_reports;
DROP TABLE followups;
DROP TABLE meeting_attendees;
DROP TABLE meetings;
DROP TABLE rule_adoptions;
DROP TABLE rule_versions;
DROP TABLE rules;
