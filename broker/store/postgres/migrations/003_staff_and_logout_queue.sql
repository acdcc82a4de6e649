-- Staff roles and the back-channel logout queue are durable records: a
-- Redis that loses everything must lose neither who administers the
-- broker nor the logout tokens relying parties are still owed.

-- One row a (person, role). No foreign key to persons: roles are granted
-- by person ID as the other stores do, and a person removed keeps no
-- power because every staff check reads the person too.
create table staff_roles (
    person_id  text collate "C" not null,
    role       text collate "C" not null,
    granted_at timestamptz not null default now(),
    primary key (person_id, role)
);

-- One row a queued delivery; due is when it may next be claimed (a claim
-- moves it by the lease), expires when it is dropped unsent (its retry
-- deadline and an hour).
create table logout_queue (
    id       text collate "C" primary key,
    delivery jsonb not null,
    due      timestamptz not null,
    expires  timestamptz not null
);
create index logout_queue_due on logout_queue (due);

-- Deliveries finished (sent or given up), remembered until "until" so the
-- same event is not enqueued again.
create table logout_finished (
    id      text collate "C" primary key,
    "until" timestamptz not null
);
create index logout_finished_until on logout_finished ("until");
