"""事件流 and webhooks (issue 15 item 2): the case events in a stable order for outside systems (``feed``), pushed to
subscribers through the outbox (``webhooks``), the subscribers kept by the administrator (``subscribers``)."""
