"""Running Diaodu in production: the worker and scheduler processes and what keeps them going.

- `faults`: which errors are transient (a lost database or Redis connection) and a backoff.
- `models`: process heartbeats, named leases (the one-scheduler lock) and the task outbox.
- `leases`: heartbeats, the lease of a named lock, and whether a claimed process still lives.
- `outbox`: the RQ task backend that records a task in the caller's transaction and pushes it
  to Redis after commit, again later when Redis was away.
- `cache`: the Redis cache that answers "not cached" when Redis is away instead of failing.
- `storage`: file storage that never leaves a partial file behind.
- `health`: `/healthz` for load balancers.
- `supervise`: `diaodu serve`, the web server with a worker and a scheduler that are restarted.
"""
