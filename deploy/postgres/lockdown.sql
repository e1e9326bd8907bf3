-- Run once, when the compose PostgreSQL initialises its data directory (docker-entrypoint-initdb.d).
-- Each service's role may connect to its own database only: `plc migrate` revokes PUBLIC's CONNECT on every
-- service database it provisions; this does the same for the databases PostgreSQL itself creates.
REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC;
