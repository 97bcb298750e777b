"""What operators see of a running server: JSON request logs, Prometheus metrics, readiness.

``logs`` formats log records as one JSON object per line; ``metrics`` keeps the request and
GraphQL latency histograms (across worker processes, in prometheus_client's multiprocess mode when
``cunqi serve`` set it up) and the middleware that records each request; ``backlogs`` measures the
database's queues at scrape time; ``endpoints`` serves ``/metrics`` (to allowed addresses only)
and ``/readyz``. The composition root (app/asgi.py) installs them; no adapter imports them.
"""
