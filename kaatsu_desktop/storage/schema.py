"""Numbered schema migrations; migration N takes `user_version` from N-1 to N in one transaction."""

from __future__ import annotations

import dataclasses

# 'KATS': marks the file as a KAATSU Desktop database, so that --db pointed at another program's
# SQLite file is refused instead of being migrated.
APPLICATION_ID = 0x4B415453


@dataclasses.dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: SQL statements run inside the migration's transaction."""

    version: int
    description: str
    sql: str


_V1 = """
PRAGMA application_id = 1262572627;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    role TEXT NOT NULL CHECK (role IN ('administrator', 'clinician', 'trainer')),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);

CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    clinic_id TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(clinic_id)) > 0),
    given_name TEXT NOT NULL CHECK (length(trim(given_name)) > 0),
    family_name TEXT NOT NULL CHECK (length(trim(family_name)) > 0),
    date_of_birth TEXT NOT NULL CHECK (date(date_of_birth, '+0 days') IS date_of_birth),
    sex TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other')),
    contact TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id)
);
CREATE INDEX patients_by_name ON patients (family_name COLLATE NOCASE, given_name COLLATE NOCASE);
CREATE TRIGGER patients_never_deleted BEFORE DELETE ON patients
BEGIN SELECT RAISE(ABORT, 'patients are archived, never deleted'); END;

-- Search-as-you-type: external-content FTS5 over the patients table, kept in sync by triggers.
-- remove_diacritics 2 folds accents ("jose" finds "José"); prefix indexes speed up "smi*".
CREATE VIRTUAL TABLE patients_fts USING fts5(
    clinic_id, given_name, family_name, date_of_birth,
    content = 'patients', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TRIGGER patients_fts_insert AFTER INSERT ON patients BEGIN
    INSERT INTO patients_fts (rowid, clinic_id, given_name, family_name, date_of_birth)
    VALUES (new.id, new.clinic_id, new.given_name, new.family_name, new.date_of_birth);
END;
CREATE TRIGGER patients_fts_update
AFTER UPDATE OF clinic_id, given_name, family_name, date_of_birth ON patients BEGIN
    INSERT INTO patients_fts
        (patients_fts, rowid, clinic_id, given_name, family_name, date_of_birth)
    VALUES ('delete', old.id, old.clinic_id, old.given_name, old.family_name, old.date_of_birth);
    INSERT INTO patients_fts (rowid, clinic_id, given_name, family_name, date_of_birth)
    VALUES (new.id, new.clinic_id, new.given_name, new.family_name, new.date_of_birth);
END;

CREATE TABLE screenings (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    assessed_on TEXT NOT NULL CHECK (date(assessed_on, '+0 days') IS assessed_on),
    input_json TEXT NOT NULL CHECK (json_valid(input_json)),
    assessment_json TEXT NOT NULL CHECK (json_valid(assessment_json)),
    verdict TEXT NOT NULL
        CHECK (verdict IN ('clear', 'caution', 'clearance', 'blocked_today', 'contraindicated')),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX screenings_by_patient ON screenings (patient_id, assessed_on);
CREATE TRIGGER screenings_append_only_update BEFORE UPDATE ON screenings
BEGIN SELECT RAISE(ABORT, 'screenings are append-only'); END;
CREATE TRIGGER screenings_append_only_delete BEFORE DELETE ON screenings
BEGIN SELECT RAISE(ABORT, 'screenings are append-only'); END;

CREATE TABLE clearances (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    physician TEXT NOT NULL CHECK (length(trim(physician)) > 0),
    issued_on TEXT NOT NULL CHECK (date(issued_on, '+0 days') IS issued_on),
    rules_json TEXT NOT NULL CHECK (json_valid(rules_json) AND json_type(rules_json) = 'array'),
    expires_on TEXT NOT NULL
        CHECK (date(expires_on, '+0 days') IS expires_on AND expires_on >= issued_on),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX clearances_by_patient ON clearances (patient_id, issued_on);
CREATE TRIGGER clearances_append_only_update BEFORE UPDATE ON clearances
BEGIN SELECT RAISE(ABORT, 'clearances are append-only'); END;
CREATE TRIGGER clearances_append_only_delete BEFORE DELETE ON clearances
BEGIN SELECT RAISE(ABORT, 'clearances are append-only'); END;

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER REFERENCES patients(id),
    protocol_json TEXT NOT NULL CHECK (json_valid(protocol_json)),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'completed', 'aborted', 'interrupted')),
    demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    device_json TEXT CHECK (device_json IS NULL OR json_valid(device_json)),
    summary_json TEXT CHECK (summary_json IS NULL OR json_valid(summary_json)),
    end_reason TEXT,
    created_by INTEGER REFERENCES users(id),
    CHECK (patient_id IS NOT NULL OR demo = 1),
    CHECK ((status = 'running') = (ended_at IS NULL))
);
CREATE INDEX sessions_by_patient ON sessions (patient_id, started_at);
-- One device, one patient: never two running sessions for the same patient.
CREATE UNIQUE INDEX sessions_one_running_per_patient ON sessions (patient_id)
    WHERE status = 'running' AND patient_id IS NOT NULL;
CREATE INDEX sessions_running ON sessions (status) WHERE status = 'running';
CREATE TRIGGER sessions_final_state BEFORE UPDATE ON sessions WHEN old.status <> 'running'
BEGIN SELECT RAISE(ABORT, 'a finished session cannot change'); END;
CREATE TRIGGER sessions_fixed_fields
BEFORE UPDATE OF patient_id, protocol_json, started_at, demo ON sessions
BEGIN SELECT RAISE(ABORT, 'patient, protocol, start and demo flag of a session are fixed'); END;
CREATE TRIGGER sessions_never_deleted BEFORE DELETE ON sessions
BEGIN SELECT RAISE(ABORT, 'sessions are never deleted'); END;

CREATE TABLE session_events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    t_ms INTEGER NOT NULL CHECK (t_ms >= 0),
    kind TEXT NOT NULL CHECK (length(kind) > 0),
    rule_id TEXT,
    priority TEXT CHECK (priority IS NULL OR priority IN ('high', 'medium', 'low')),
    message TEXT NOT NULL DEFAULT '',
    data_json TEXT CHECK (data_json IS NULL OR json_valid(data_json))
);
CREATE INDEX session_events_by_session ON session_events (session_id, t_ms);
CREATE TRIGGER session_events_append_only_update BEFORE UPDATE ON session_events
BEGIN SELECT RAISE(ABORT, 'session events are append-only'); END;
CREATE TRIGGER session_events_append_only_delete BEFORE DELETE ON session_events
BEGIN SELECT RAISE(ABORT, 'session events are append-only'); END;

-- Pressure samples, packed per channel in chunks (see samples.py for the codec and the
-- measurements that chose this layout over one row per sample).
CREATE TABLE sample_chunks (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    channel INTEGER NOT NULL CHECK (channel BETWEEN 0 AND 255),
    t_first_ms INTEGER NOT NULL CHECK (t_first_ms >= 0),
    t_last_ms INTEGER NOT NULL CHECK (t_last_ms >= t_first_ms),
    n INTEGER NOT NULL CHECK (n > 0),
    codec INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (session_id, channel, t_first_ms)
) WITHOUT ROWID;
CREATE TRIGGER sample_chunks_append_only_update BEFORE UPDATE ON sample_chunks
BEGIN SELECT RAISE(ABORT, 'samples are append-only'); END;
CREATE TRIGGER sample_chunks_append_only_delete BEFORE DELETE ON sample_chunks
BEGIN SELECT RAISE(ABORT, 'samples are append-only'); END;

CREATE TABLE settings (
    key TEXT PRIMARY KEY CHECK (length(key) > 0),
    value_json TEXT NOT NULL CHECK (json_valid(value_json)),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id)
);

-- Audit log. prev_hash and row_hash stay NULL until the hash chain of the accounts issue
-- (which will drop and re-create the two triggers below while it fills them in).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL CHECK (length(action) > 0),
    entity TEXT NOT NULL CHECK (length(entity) > 0),
    entity_id INTEGER,
    before_json TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
    after_json TEXT CHECK (after_json IS NULL OR json_valid(after_json)),
    prev_hash TEXT,
    row_hash TEXT
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

# Accounts: credentials and lockout state beside each user (one row per user who can sign in),
# users who can be deactivated (never deleted: the audit log names them) and who changed them.
_V2 = """
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
ALTER TABLE users ADD COLUMN updated_at TEXT;
ALTER TABLE users ADD COLUMN updated_by INTEGER REFERENCES users(id);
CREATE TRIGGER users_never_deleted BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'users are deactivated, never deleted'); END;

CREATE TABLE user_credentials (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until TEXT,
    password_changed_at TEXT NOT NULL,
    password_changed_by INTEGER REFERENCES users(id)
);
CREATE TRIGGER user_credentials_never_deleted BEFORE DELETE ON user_credentials
BEGIN SELECT RAISE(ABORT, 'credentials are replaced, never deleted'); END;
"""

# The audit hash chain: fill prev_hash and row_hash of the rows written before it (in id order,
# each row's hash over its content and its predecessor's hash), then forbid rows without it.
# The append-only triggers are dropped for the fill and re-created unchanged.
_V3 = """
DROP TRIGGER audit_log_append_only_update;
DROP TRIGGER audit_log_append_only_delete;

CREATE TEMP TABLE audit_chain_fill (id INTEGER PRIMARY KEY, prev TEXT NOT NULL, hash TEXT NOT NULL);
INSERT INTO temp.audit_chain_fill (id, prev, hash)
WITH RECURSIVE chain (id, prev, hash) AS (
    SELECT a.id, '0000000000000000000000000000000000000000000000000000000000000000',
        kaatsu_audit_hash(a.id, a.at, a.user_id, a.action, a.entity, a.entity_id,
            a.before_json, a.after_json,
            '0000000000000000000000000000000000000000000000000000000000000000')
    FROM audit_log AS a WHERE a.id = (SELECT min(id) FROM audit_log)
    UNION ALL
    SELECT a.id, chain.hash,
        kaatsu_audit_hash(a.id, a.at, a.user_id, a.action, a.entity, a.entity_id,
            a.before_json, a.after_json, chain.hash)
    FROM chain JOIN audit_log AS a ON a.id = (SELECT min(id) FROM audit_log WHERE id > chain.id)
)
SELECT id, prev, hash FROM chain;
UPDATE audit_log SET prev_hash = c.prev, row_hash = c.hash
FROM temp.audit_chain_fill AS c WHERE c.id = audit_log.id;
DROP TABLE temp.audit_chain_fill;

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- A new row must carry its hash and continue the chain from the last row.
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
WHEN new.row_hash IS NULL
    OR new.prev_hash IS NOT coalesce(
        (SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000')
    OR new.id IS NOT coalesce((SELECT max(id) FROM audit_log), 0) + 1
BEGIN SELECT RAISE(ABORT, 'an audit row must continue the hash chain'); END;
"""

# Search-as-you-type over a large registry: a one-character prefix index, so "b" or the "0" of
# "KC-0" reads one doclist instead of merging every term that starts with it (with 100,000
# patients, "KC-0" alone expands to 100,000 clinic-id terms). The search itself no longer ranks
# (patients.search_patients), so the index is rebuilt with the same columns and triggers.
_V4 = """
DROP TRIGGER patients_fts_insert;
DROP TRIGGER patients_fts_update;
DROP TABLE patients_fts;
CREATE VIRTUAL TABLE patients_fts USING fts5(
    clinic_id, given_name, family_name, date_of_birth,
    content = 'patients', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
INSERT INTO patients_fts (patients_fts) VALUES ('rebuild');
CREATE TRIGGER patients_fts_insert AFTER INSERT ON patients BEGIN
    INSERT INTO patients_fts (rowid, clinic_id, given_name, family_name, date_of_birth)
    VALUES (new.id, new.clinic_id, new.given_name, new.family_name, new.date_of_birth);
END;
CREATE TRIGGER patients_fts_update
AFTER UPDATE OF clinic_id, given_name, family_name, date_of_birth ON patients BEGIN
    INSERT INTO patients_fts
        (patients_fts, rowid, clinic_id, given_name, family_name, date_of_birth)
    VALUES ('delete', old.id, old.clinic_id, old.given_name, old.family_name, old.date_of_birth);
    INSERT INTO patients_fts (rowid, clinic_id, given_name, family_name, date_of_birth)
    VALUES (new.id, new.clinic_id, new.given_name, new.family_name, new.date_of_birth);
END;
"""

# Who last changed a session and when (issue 7: every record shows who created and last changed
# it): a session changes after its start when its summary is recorded, when it is finished or
# aborted, and when it is marked interrupted. Rows written before are filled from their last
# audited change (start, update, completed, aborted, interrupt; the audit log has them all), else
# from their end or start and the user who started them. A finished session cannot change: the
# trigger that says so is dropped for the fill and re-created unchanged.
_V5 = """
ALTER TABLE sessions ADD COLUMN updated_at TEXT;
ALTER TABLE sessions ADD COLUMN updated_by INTEGER REFERENCES users(id);
DROP TRIGGER sessions_final_state;

CREATE TEMP TABLE session_last_change (id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER);
INSERT INTO temp.session_last_change (id, at, user_id)
SELECT a.entity_id, a.at, a.user_id FROM audit_log AS a
WHERE a.id IN (
    SELECT max(id) FROM audit_log
    WHERE entity = 'session' AND entity_id IS NOT NULL
        AND action IN ('start', 'update', 'completed', 'aborted', 'interrupt')
    GROUP BY entity_id
);
UPDATE sessions SET
    updated_at = coalesce(
        (SELECT c.at FROM temp.session_last_change AS c WHERE c.id = sessions.id),
        ended_at, started_at),
    updated_by = CASE
        WHEN EXISTS (SELECT 1 FROM temp.session_last_change AS c WHERE c.id = sessions.id)
        THEN (SELECT c.user_id FROM temp.session_last_change AS c WHERE c.id = sessions.id)
        ELSE created_by END;
DROP TABLE temp.session_last_change;

CREATE TRIGGER sessions_final_state BEFORE UPDATE ON sessions WHEN old.status <> 'running'
BEGIN SELECT RAISE(ABORT, 'a finished session cannot change'); END;
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "users, patients with search, clinical records, sessions, samples, audit", _V1),
    Migration(2, "accounts: credentials, lockout, deactivated users", _V2),
    Migration(3, "audit log hash chain", _V3),
    Migration(4, "patient search: one-character prefix index", _V4),
    Migration(5, "sessions: who changed them last, and when", _V5),
)

SCHEMA_VERSION = len(MIGRATIONS)
