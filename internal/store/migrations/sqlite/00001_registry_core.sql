-- The registry core: the organisations every scope refers to. The registry
-- capability extends these tables; the platform needs them for scopes.
-- +goose Up
CREATE TABLE townships (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE schools (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    short_name TEXT NOT NULL DEFAULT '',
    township_id BIGINT NOT NULL REFERENCES townships(id),
    urban_rural TEXT NOT NULL,
    stage TEXT NOT NULL,
    type_code TEXT NOT NULL,
    students INTEGER NOT NULL DEFAULT 0,
    classes INTEGER NOT NULL DEFAULT 0,
    staff_count INTEGER NOT NULL DEFAULT 0,
    tier TEXT NOT NULL,
    is_new BOOLEAN NOT NULL DEFAULT FALSE,
    principal TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    notes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX schools_township ON schools(township_id);

CREATE TABLE edu_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    mode TEXT NOT NULL,
    governance TEXT NOT NULL,
    lead_school_id BIGINT NOT NULL REFERENCES schools(id),
    founded_on DATE NOT NULL,
    goal TEXT NOT NULL DEFAULT '',
    philosophy TEXT NOT NULL DEFAULT '',
    motto TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE group_members (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    school_id BIGINT NOT NULL REFERENCES schools(id),
    role TEXT NOT NULL,
    joined_on DATE NOT NULL,
    left_on DATE,
    leave_reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX group_members_group ON group_members(group_id);
CREATE INDEX group_members_school ON group_members(school_id);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    staff_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    id_card TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL DEFAULT '',
    school_id BIGINT NOT NULL REFERENCES schools(id),
    post TEXT NOT NULL,
    is_cadre BOOLEAN NOT NULL DEFAULT FALSE,
    subject TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    honours TEXT NOT NULL DEFAULT '',
    education TEXT NOT NULL DEFAULT '',
    birth_date DATE,
    hire_date DATE,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX staff_school ON staff(school_id);
CREATE INDEX staff_name ON staff(name);

-- +goose Down
DROP TABLE staff;
DROP TABLE group_members;
DROP TABLE edu_groups;
DROP TABLE schools;
DROP TABLE townships;
