-- The repairdesk archive lives beside Temporal's stores, in a database and role of its own.
CREATE ROLE repairdesk LOGIN PASSWORD 'repairdesk';
CREATE DATABASE repairdesk OWNER repairdesk;
