"""Long work outside a request: the runner (`runner`: where a job runs, silent jobs failed), the
janitor (`janitor`: the scheduled clean-up) and Zappa's `@task` a job runs as (`lambda_task`).
Job state is `catsite.stores.jobs`. Importing this package imports nothing."""
