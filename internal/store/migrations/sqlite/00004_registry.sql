-- The registry capability: legal-person status and campuses of schools, the
-- party branch and task force of groups, why a school left a group, the
-- two-step graduation (动态孵化), staff transfers and the eligibility records
-- of 五(四) (the one-vote veto).
-- +goose Up
ALTER TABLE schools ADD COLUMN legal_person TEXT NOT NULL DEFAULT 'independent';
ALTER TABLE schools ADD COLUMN parent_school_id BIGINT REFERENCES schools(id);

CREATE TABLE campuses (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    students INTEGER NOT NULL DEFAULT 0,
    classes INTEGER NOT NULL DEFAULT 0,
    staff_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (school_id, name)
);

ALTER TABLE edu_groups ADD COLUMN party_secretary TEXT NOT NULL DEFAULT '';
ALTER TABLE edu_groups ADD COLUMN party_members TEXT NOT NULL DEFAULT '';
ALTER TABLE edu_groups ADD COLUMN task_force TEXT NOT NULL DEFAULT '';

ALTER TABLE group_members ADD COLUMN leave_note TEXT NOT NULL DEFAULT '';
ALTER TABLE group_members ADD COLUMN to_group_id BIGINT REFERENCES edu_groups(id);
ALTER TABLE group_members ADD COLUMN override_reason TEXT NOT NULL DEFAULT '';

CREATE TABLE graduations (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    school_id BIGINT NOT NULL REFERENCES schools(id),
    evidence TEXT NOT NULL,
    leave_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'proposed',
    proposed_by BIGINT NOT NULL REFERENCES users(id),
    proposed_at TIMESTAMP NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMP,
    decision_note TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX graduations_group ON graduations(group_id);

ALTER TABLE staff ADD COLUMN stage TEXT NOT NULL DEFAULT '';

CREATE TABLE staff_transfers (
    id INTEGER PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    from_school_id BIGINT NOT NULL REFERENCES schools(id),
    to_school_id BIGINT NOT NULL REFERENCES schools(id),
    on_date DATE NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_transfers_staff ON staff_transfers(staff_id);

CREATE TABLE eligibility_records (
    id INTEGER PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    authority TEXT NOT NULL DEFAULT '',
    doc_no TEXT NOT NULL DEFAULT '',
    effective_from DATE,
    effective_to DATE,
    school_year TEXT NOT NULL DEFAULT '',
    days INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX eligibility_records_staff ON eligibility_records(staff_id);

-- +goose Down
DROP TABLE eligibility_records;
DROP TABLE staff_transfers;
ALTER TABLE staff DROP COLUMN stage;
DROP TABLE graduations;
ALTER TABLE group_members DROP COLUMN override_reason;
ALTER TABLE group_members DROP COLUMN to_group_id;
ALTER TABLE group_members DROP COLUMN leave_note;
ALTER TABLE edu_groups DROP COLUMN task_force;
ALTER TABLE edu_groups DROP COLUMN party_members;
ALTER TABLE edu_groups DROP COLUMN party_secretary;
DROP TABLE campuses;
ALTER TABLE schools DROP COLUMN parent_school_id;
ALTER TABLE schools DROP COLUMN legal_person;
