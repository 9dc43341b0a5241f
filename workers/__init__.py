"""Celery worker and beat: thin tasks that call services inside a Flask app context."""
