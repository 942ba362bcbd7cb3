"""The Celery layer: app and configuration, the task, worker lifecycle, delivery policy, periodic
jobs, health, and work-arounds for kombu. It owns every delivery concern."""
