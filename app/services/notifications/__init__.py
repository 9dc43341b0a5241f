"""Messages and follow-up: ``messages`` — SMS to applicants and mail to staff from editable templates
(the ``notify_applicant`` job); ``reminders`` — deadline checks, reminders and escalations (跟踪督办);
``reports`` — weekly and monthly reports."""
