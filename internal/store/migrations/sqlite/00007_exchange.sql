-- Staff exchanges of 三(一) and 五(四): 跟岗锻炼, 跟岗学习 and 支教, with every
-- step of the approval chain, the supervision notes, the return to the home
-- school and the three evaluations; 团队进驻 teams; and the cross-school
-- service (跨校任职, 兼课指导) that counts in title recommendations (四(三)2).
-- +goose Up
CREATE TABLE exchange_teams (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    host_school_id BIGINT NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    goal TEXT NOT NULL,
    report TEXT NOT NULL DEFAULT '',
    suggestions TEXT NOT NULL DEFAULT '',
    reported_by BIGINT REFERENCES users(id),
    reported_at TIMESTAMP,
    response TEXT NOT NULL DEFAULT '',
    responded_by BIGINT REFERENCES users(id),
    responded_at TIMESTAMP,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE exchanges (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    is_cadre BOOLEAN NOT NULL,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    home_school_id BIGINT NOT NULL REFERENCES schools(id),
    host_school_id BIGINT NOT NULL REFERENCES schools(id),
    team_id BIGINT REFERENCES exchange_teams(id),
    mentor_staff_id BIGINT REFERENCES staff(id),
    start_on DATE NOT NULL,
    end_on DATE NOT NULL,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_on DATE,
    cover_arrangement TEXT NOT NULL DEFAULT '',
    home_endorsed_by BIGINT REFERENCES users(id),
    host_consent_by BIGINT REFERENCES users(id),
    exception_reason TEXT NOT NULL DEFAULT '',
    started_on DATE,
    returned_on DATE,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX exchanges_staff ON exchanges(staff_id, end_on);
CREATE INDEX exchanges_group_kind ON exchanges(group_id, kind, status, start_on);
CREATE INDEX exchanges_home ON exchanges(home_school_id);
CREATE INDEX exchanges_host ON exchanges(host_school_id);
CREATE INDEX exchanges_status ON exchanges(status, end_on);

CREATE TABLE exchange_steps (
    id INTEGER PRIMARY KEY,
    exchange_id BIGINT NOT NULL REFERENCES exchanges(id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL
);
CREATE INDEX exchange_steps_exchange ON exchange_steps(exchange_id, id);

CREATE TABLE exchange_checkins (
    id INTEGER PRIMARY KEY,
    exchange_id BIGINT NOT NULL REFERENCES exchanges(id),
    kind TEXT NOT NULL,
    on_date DATE NOT NULL,
    body TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    actor_name TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX exchange_checkins_exchange ON exchange_checkins(exchange_id, id);

CREATE TABLE exchange_evaluations (
    id INTEGER PRIMARY KEY,
    exchange_id BIGINT NOT NULL REFERENCES exchanges(id),
    party TEXT NOT NULL,
    rating TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    actor_name TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    UNIQUE (exchange_id, party)
);

CREATE TABLE cross_school_service (
    id INTEGER PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    kind TEXT NOT NULL,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    start_on DATE NOT NULL,
    end_on DATE,
    description TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cross_school_service_staff ON cross_school_service(staff_id);

-- +goose Down
DROP TABLE cross_school_service;
DROP TABLE exchange_evaluations;
DROP TABLE exchange_checkins;
DROP TABLE exchange_steps;
DROP TABLE exchanges;
DROP TABLE exchange_teams;
