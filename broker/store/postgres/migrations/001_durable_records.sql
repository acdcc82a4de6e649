-- The durable records of gjjid. Plain PostgreSQL 13 SQL, no extensions, so
-- PostgreSQL-compatible databases (KingbaseES, PolarDB) accept it too.
-- Secrets and personal data arrive already hashed, sealed or masked by the
-- broker: this schema never sees a plaintext ID number or mobile.

-- Keys are compared in byte order (collate "C") so pages list in the same
-- order on every server and with every other gjjid store.

-- Relying parties. The registration document is kept as the broker writes
-- it (JSON); version is the compare-and-set token of UpdateClient.
create table clients (
    id         text collate "C" primary key,
    version    bigint not null default 1,
    record     text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- Employers, keyed by the 统一社会信用代码. org_code is the 组织机构代码 inside
-- it (NULL when unknown), unique: one organisation, one unit.
create table units (
    id          text collate "C" primary key,
    customer_no text not null default '',
    org_code    text unique,
    name        text not null default '',
    status      text not null default '',
    created_at  timestamptz not null
);

-- Natural persons. id_hash and mobile_hash are keyed hashes (HMAC) used for
-- lookup; *_sealed are AES-GCM ciphertexts; *_masked are display forms.
create table persons (
    id            text collate "C" primary key,
    name          text not null default '',
    id_type       text not null default '',
    id_hash       text unique,
    id_masked     text not null default '',
    id_sealed     bytea,
    mobile_hash   text unique,
    mobile_masked text not null default '',
    mobile_sealed bytea,
    password_hash text not null default '',
    status        text not null default '',
    created_at    timestamptz not null
);

-- 经办人: a person acting for a unit. No foreign keys: the other stores do
-- not enforce them either, and imports may bring agents before their unit.
create table agents (
    person_id  text collate "C" not null,
    unit_id    text collate "C" not null,
    roles      text[],
    status     text not null default '',
    created_at timestamptz not null,
    primary key (person_id, unit_id)
);
create index agents_by_unit on agents (unit_id, person_id);

-- (connector, upstream subject) → principal. Certificates bound at the
-- counter are links too (subject "sha256:…" or "issuer-serial:…"), so the
-- primary key makes every binding unique.
create table links (
    connector  text collate "C" not null,
    subject    text collate "C" not null,
    kind       text not null,
    person_id  text,
    unit_id    text,
    label      text not null default '',
    created_by text not null default '',
    created_at timestamptz not null,
    primary key (connector, subject)
);
create index links_by_person on links (person_id) where person_id is not null;
create index links_by_unit on links (unit_id) where unit_id is not null;

-- The signing key set: one row, sealed by the broker, swapped by version.
create table key_sets (
    id      smallint primary key check (id = 1),
    version bigint not null,
    data    bytea not null
);

-- The audit trail, partitioned by month of at (partitions are created ahead
-- by the broker and dropped whole once older than audit.retention). The
-- record ID the broker shows is "<unix ms of at>-<seq>". The filter columns
-- are copied out of the event so the admin queries use indexes.
create sequence audit_seq;
create table audit_events (
    at         timestamptz not null,
    seq        bigint not null,
    type       text,
    actor      text,
    actor_id   text, -- actor after its last ':' ("client:admin" → "admin")
    actor_unit text,
    principal  text,
    unit       text,
    data       text not null,
    primary key (at, seq)
) partition by range (at);
create index audit_by_principal on audit_events (principal, at);
create index audit_by_actor on audit_events (actor, at);
create index audit_by_actor_id on audit_events (actor_id, at);
create index audit_by_unit on audit_events (unit, at);
create index audit_by_actor_unit on audit_events (actor_unit, at);
create index audit_by_type on audit_events (type text_pattern_ops, at);

---- create above / drop below ----

drop table audit_events;
drop sequence audit_seq;
drop table key_sets;
drop table links;
drop table agents;
drop table persons;
drop table units;
drop table clients;
