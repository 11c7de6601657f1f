"""A test-only app for the worker process of tests/queue: with
``KV_TEST_PAUSE_FILE`` set, the first progress report of a job writes that
file and then waits, so the test can kill the worker in the middle of the
job. Installed only by ``tests.queue.worker_settings``."""
