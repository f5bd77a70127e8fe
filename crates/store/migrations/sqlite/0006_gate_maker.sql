-- Who made what a gate reviews (the person who proposed an ICP version). The four-eyes
-- rule: that person never decides the gate. NULL when the machine made it.
ALTER TABLE gates ADD COLUMN maker TEXT;
UPDATE gates SET maker = (
    SELECT v.proposed_by FROM icp_versions v WHERE 'icp:' || v.id = gates.subject
) WHERE kind IN ('icp_approval', 'icp_review');
