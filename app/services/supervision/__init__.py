"""督办 (issue 14): supervision orders (督办单) with their replies (反馈), and nudges (催办).

- ``orders``: the commands — issue an order on one case or a selection, reply, nudge;
- ``queries``: the orders a user sees (list filters, a case's orders, the responsible side's queue);
- ``deadlines``: warning levels, reminders and escalations, run by the deadline job;
- ``export``: the filtered list as XLSX; ``dashboard``: the dashboard's panel.
"""
