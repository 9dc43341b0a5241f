"""The organisation administrators maintain: ``units`` — regions, service centers, departments;
``staff`` — staff accounts; ``accounts`` — account locks; ``roles`` — the role matrix written to the
database, and the permission check the services make."""
