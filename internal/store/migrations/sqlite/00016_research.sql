-- 四(四)2, 五(二) joint teaching research: cross-school research groups
-- (教研组 / 备课组) per school group, stage and subject with their weekly
-- slot; the periods each school keeps free for research; 集体备课 with its
-- versioned shared plan under a one-editor lease, comments anchored to
-- sections and each teacher's 二次备课; rubrics as data and classroom
-- observations with each observer's form.
-- +goose Up
CREATE TABLE research_groups (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    stage TEXT NOT NULL,
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    leader_staff_id BIGINT REFERENCES staff(id),
    slot_weekday INTEGER NOT NULL DEFAULT 0,
    slot_periods TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (group_id, stage, subject)
);

CREATE TABLE research_members (
    id INTEGER PRIMARY KEY,
    research_group_id BIGINT NOT NULL REFERENCES research_groups(id),
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    school_id BIGINT NOT NULL REFERENCES schools(id),
    UNIQUE (research_group_id, staff_id)
);
CREATE INDEX research_members_staff ON research_members(staff_id);
CREATE INDEX research_members_school ON research_members(school_id);

CREATE TABLE research_free_periods (
    id INTEGER PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools(id),
    term TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    period INTEGER NOT NULL,
    UNIQUE (school_id, term, weekday, period)
);

CREATE TABLE research_preps (
    id INTEGER PRIMARY KEY,
    research_group_id BIGINT NOT NULL REFERENCES research_groups(id),
    title TEXT NOT NULL,
    lead_staff_id BIGINT NOT NULL REFERENCES staff(id),
    session_on DATE,
    session_periods TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    current_version INTEGER NOT NULL DEFAULT 0,
    published_version INTEGER NOT NULL DEFAULT 0,
    lease_user_id BIGINT REFERENCES users(id),
    lease_name TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMP,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX research_preps_group ON research_preps(research_group_id);
CREATE INDEX research_preps_lead ON research_preps(lead_staff_id);

CREATE TABLE research_prep_versions (
    id INTEGER PRIMARY KEY,
    prep_id BIGINT NOT NULL REFERENCES research_preps(id),
    number INTEGER NOT NULL,
    sections TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    resource_id BIGINT,
    note TEXT NOT NULL DEFAULT '',
    published BOOLEAN NOT NULL DEFAULT FALSE,
    author TEXT NOT NULL DEFAULT '',
    user_id BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (prep_id, number)
);

CREATE TABLE research_prep_comments (
    id INTEGER PRIMARY KEY,
    prep_id BIGINT NOT NULL REFERENCES research_preps(id),
    version_number INTEGER NOT NULL,
    section INTEGER NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    user_id BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX research_prep_comments_prep ON research_prep_comments(prep_id, id);

CREATE TABLE research_adaptations (
    id INTEGER PRIMARY KEY,
    prep_id BIGINT NOT NULL REFERENCES research_preps(id),
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    based_on INTEGER NOT NULL,
    sections TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    resource_id BIGINT,
    reflection TEXT NOT NULL DEFAULT '',
    reflected_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (prep_id, staff_id)
);

CREATE TABLE research_rubrics (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    tree TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, number)
);

CREATE TABLE research_observations (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    research_group_id BIGINT REFERENCES research_groups(id),
    teacher_staff_id BIGINT NOT NULL REFERENCES staff(id),
    school_id BIGINT NOT NULL REFERENCES schools(id),
    class_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL,
    observed_on DATE NOT NULL,
    period INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL,
    rubric_id BIGINT NOT NULL REFERENCES research_rubrics(id),
    feedback TEXT NOT NULL DEFAULT '',
    feedback_by TEXT NOT NULL DEFAULT '',
    feedback_at TIMESTAMP,
    reflection TEXT NOT NULL DEFAULT '',
    reflected_at TIMESTAMP,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX research_observations_group ON research_observations(group_id, observed_on);
CREATE INDEX research_observations_teacher ON research_observations(teacher_staff_id);
CREATE INDEX research_observations_school ON research_observations(school_id);

CREATE TABLE research_observers (
    id INTEGER PRIMARY KEY,
    observation_id BIGINT NOT NULL REFERENCES research_observations(id),
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    answers TEXT NOT NULL DEFAULT '',
    total INTEGER,
    submitted_at TIMESTAMP,
    UNIQUE (observation_id, staff_id)
);
CREATE INDEX research_observers_staff ON research_observers(staff_id);

CREATE TABLE research_activities (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES edu_groups(id),
    research_group_id BIGINT REFERENCES research_groups(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    mode TEXT NOT NULL,
    school_id BIGINT REFERENCES schools(id),
    room TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    prep_id BIGINT REFERENCES research_preps(id),
    minutes TEXT NOT NULL DEFAULT '',
    outputs TEXT NOT NULL DEFAULT '',
    signin_secret TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX research_activities_group ON research_activities(group_id, starts_at);
CREATE INDEX research_activities_rg ON research_activities(research_group_id);

CREATE TABLE research_attendance (
    id INTEGER PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES research_activities(id),
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    school_id BIGINT NOT NULL REFERENCES schools(id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    signed_at TIMESTAMP,
    UNIQUE (activity_id, staff_id)
);
CREATE INDEX research_attendance_staff ON research_attendance(staff_id);

CREATE TABLE research_plans (
    id INTEGER PRIMARY KEY,
    research_group_id BIGINT NOT NULL REFERENCES research_groups(id),
    term TEXT NOT NULL,
    themes TEXT NOT NULL DEFAULT '',
    items TEXT NOT NULL DEFAULT '[]',
    outputs TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    submitted_at TIMESTAMP,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (research_group_id, term)
);

-- The two rubrics shipped: the weighted 100-point 课堂教学评价表 (each item
-- scored up to its points; the bands are policy settings) and an LICC-style
-- frame of 4 dimensions and 20 视角, each an observation point answered
-- with a count and a note.
INSERT INTO research_rubrics (code, number, name, kind, tree, created_at) VALUES
('lesson100', 1, '课堂教学评价表（百分制）', 'scored', '{"max":100,"dimensions":[{"code":"design","name":"教学设计","items":[{"code":"goal","name":"教学目标","max":10,"hint":"目标明确、具体，符合课标与学情"},{"code":"content","name":"教学内容","max":10,"hint":"内容准确，重难点突出，联系实际"}]},{"code":"process","name":"教学过程","items":[{"code":"structure","name":"教学结构","max":20,"hint":"环节清晰、衔接自然，时间分配合理"},{"code":"method","name":"教学方法","max":20,"hint":"情境与问题导向，启发互动，信息技术运用得当"}]},{"code":"effect","name":"课堂状态与效果","items":[{"code":"state","name":"学生状态","max":10,"hint":"参与面广，思维活跃，合作有效"},{"code":"result","name":"教学效果","max":20,"hint":"目标达成度高，当堂检测效果好"}]},{"code":"feature","name":"教学特色","items":[{"code":"feature","name":"教学特色","max":10,"hint":"有个人风格或创新之处"}]}]}', CURRENT_TIMESTAMP),
('licc', 1, 'LICC 课堂观察框架', 'licc', '{"dimensions":[{"code":"learning","name":"学生学习","items":[{"code":"prepare","name":"准备","point":"课前有多少学生做了准备？怎样准备的？"},{"code":"listen","name":"倾听","point":"有多少学生能倾听老师的讲课？能倾听多少时间？"},{"code":"interact","name":"互动","point":"有哪些互动行为？有多少人参与回答、讨论？"},{"code":"autonomy","name":"自主","point":"自主学习的时间有多少？有多少人参与？"},{"code":"attain","name":"达成","point":"有多少学生达成了目标？当堂检测正确的有多少？"}]},{"code":"teaching","name":"教师教学","items":[{"code":"stage","name":"环节","point":"由哪些环节构成？各用了多少时间？"},{"code":"present","name":"呈示","point":"讲解、板书、媒体呈示各有多少次？是否有效？"},{"code":"dialogue","name":"对话","point":"提问了多少次？候答时间多长？有哪些理答方式？"},{"code":"guide","name":"指导","point":"对多少学生进行了个别指导？怎样指导的？"},{"code":"wit","name":"机智","point":"出现了几次意外？怎样处理的？"}]},{"code":"curriculum","name":"课程性质","items":[{"code":"aim","name":"目标","point":"目标是否明确？有几处体现了目标？"},{"code":"matter","name":"内容","point":"处理了哪些内容？有几处拓展或补充？"},{"code":"carry","name":"实施","point":"运用了哪些方法？与目标是否匹配？"},{"code":"assess","name":"评价","point":"有几次检测或评价？怎样利用评价信息？"},{"code":"resource","name":"资源","point":"用了哪些资源？用了多少次？效果如何？"}]},{"code":"culture","name":"课堂文化","items":[{"code":"think","name":"思考","point":"学生提出了几个问题？有几次高水平的思考？"},{"code":"democracy","name":"民主","point":"有几次不同意见的表达？教师如何回应？"},{"code":"create","name":"创新","point":"有几处创新的设计或生成？"},{"code":"care","name":"关爱","point":"关注了多少不同需要的学生？怎样关注的？"},{"code":"trait","name":"特质","point":"有哪些体现教师特色的地方？学生的反应如何？"}]}]}', CURRENT_TIMESTAMP);

-- +goose Down
DROP TABLE research_plans;
DROP TABLE research_attendance;
DROP TABLE research_activities;
DROP TABLE research_observers;
DROP TABLE research_observations;
DROP TABLE research_rubrics;
DROP TABLE research_adaptations;
DROP TABLE research_prep_comments;
DROP TABLE research_prep_versions;
DROP TABLE research_preps;
DROP TABLE research_free_periods;
DROP TABLE research_members;
DROP TABLE research_groups;
