-- Stage 5: a task's SLA timers — when its rep was reminded (at 75 % of the time allowed) and
-- when its deadline passed unacknowledged (the breach that escalates and reassigns it).
ALTER TABLE handoff_tasks ADD COLUMN reminded_at BIGINT;
ALTER TABLE handoff_tasks ADD COLUMN breached_at BIGINT;
