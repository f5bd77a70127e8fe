-- Stage 5 under load: the lookups a handoff makes, found by index instead of by reading the
-- table (whose rows carry the lead record and the message bodies).
-- Routing's fair counters and caps count a rep's tasks by rule and since a day or week.
CREATE INDEX handoff_tasks_by_rule ON handoff_tasks (rep, rule, created_at);
-- A trigger handled once: its task is looked up by the event that raised it.
CREATE INDEX handoff_tasks_by_trigger ON handoff_tasks (trigger_event);
-- A lead's open task, and its tasks.
CREATE INDEX handoff_tasks_by_lead ON handoff_tasks (contact_id, status);
-- The lead record's last contact date.
CREATE INDEX outbox_by_contact ON outbox (contact_id, sent_at);
