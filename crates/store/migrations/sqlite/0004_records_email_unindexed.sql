-- records.email is kept for suppression and erasure, which are rare and read it by scanning;
-- no query looks a record up by its address. An index on it cost every imported row a
-- random insert into a B-tree as large as the table's addresses, a fifth of an import's
-- database time, for nothing.
DROP INDEX IF EXISTS records_by_email;
