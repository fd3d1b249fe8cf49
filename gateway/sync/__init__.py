"""Store and forward: the durable outbox and the uploader that drains it into a centre."""
