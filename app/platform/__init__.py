"""Plumbing that the use cases stand on and that imports none of them: ``outbox`` (jobs written in the
step's transaction, registered with ``@handles``), ``records`` (the save and delete rules of the records
administrators maintain), ``system`` (heartbeats, the health report), ``fab`` (the Flask-AppBuilder glue
views and REST API share)."""
