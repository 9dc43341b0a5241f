"""督导看板: the supervisors' dashboard (issue 14)."""
