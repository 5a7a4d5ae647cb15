"""Work that runs as its own asynchronous Lambda invocation, through Zappa's `@task`.

Imported only when a job is started on Lambda and in the invocation that runs it: Zappa's task
module creates boto3 clients as it loads, which no other request should pay for. Zappa's handler
routes the invocation (`"command": "zappa.asynchronous.route_lambda_task"`) to `run_job_task`.
"""

from zappa.asynchronous import task


@task
def run_job_task(job_id: str) -> None:
    from catsite.jobs.runner import run_job

    run_job(job_id)
