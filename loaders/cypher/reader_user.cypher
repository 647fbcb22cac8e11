// The API's read-only Neo4j user: roles are an Enterprise Edition feature. Run as an admin on the system
// database; running it again resets the password and keeps the single role.
CREATE USER $name IF NOT EXISTS SET PASSWORD $password CHANGE NOT REQUIRED;
ALTER USER $name SET PASSWORD $password CHANGE NOT REQUIRED;
GRANT ROLE reader TO $name
