-- Run state, version 1: the overlap lease and the execution history.
-- One script for PostgreSQL and H2 (plain SQL types, IF NOT EXISTS): applied by the runtime itself,
-- at most once per database (schema_version), and harmless if two runtimes apply it at the same time.

CREATE TABLE IF NOT EXISTS run_lease (
    pack        VARCHAR(64)  NOT NULL,
    job         VARCHAR(128) NOT NULL,
    shard       VARCHAR(16)  NOT NULL,               -- 'i/N' of a fan-out task, '-' for the whole job
    run_id      VARCHAR(36)  NOT NULL,               -- the holder: its run
    host        VARCHAR(255) NOT NULL,
    execution   VARCHAR(255) NOT NULL,               -- Cloud Run execution/task, pod name, or pid
    since       TIMESTAMP WITH TIME ZONE NOT NULL,   -- when the holder's run started
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,   -- renewed every LEASE_TTL/3 while it runs
    PRIMARY KEY (pack, job, shard)
);

CREATE TABLE IF NOT EXISTS run_history (
    run_id        VARCHAR(36)  NOT NULL PRIMARY KEY,
    job           VARCHAR(128) NOT NULL,
    pack          VARCHAR(64)  NOT NULL,
    environment   VARCHAR(32)  NOT NULL,
    run_key       VARCHAR(512),                      -- the Idempotency-Key base
    shard         VARCHAR(16),
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at      TIMESTAMP WITH TIME ZONE,          -- null while running (or when the process died)
    alive_until   TIMESTAMP WITH TIME ZONE NOT NULL, -- renewed with the lease: past it, a run without an end is LOST
    outcome       VARCHAR(32)  NOT NULL,             -- RUNNING until the end
    exit_code     INTEGER,
    attempts      INTEGER,
    http_status   INTEGER,
    ok            INTEGER,
    failed        INTEGER,
    skipped       INTEGER,
    rows_deleted  BIGINT,
    reason        VARCHAR(2000),
    host          VARCHAR(255) NOT NULL,
    execution     VARCHAR(255) NOT NULL
);

CREATE INDEX IF NOT EXISTS run_history_started ON run_history (started_at);
CREATE INDEX IF NOT EXISTS run_history_job_started ON run_history (job, started_at);
