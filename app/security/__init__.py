"""Authentication, roles and permissions (the data scope itself lives in ``app.scope``)."""
