"""A job as its own asynchronous Lambda invocation, through Zappa's `@task`.

`catsite.jobs.runner` imports this module only to start a job on Lambda, and Zappa's handler only
in the invocation that runs it (`"command": "zappa.asynchronous.route_lambda_task"` routes it to
`run_job_task`): Zappa's task module creates boto3 clients as it loads, which no other request
should pay for.
"""

from zappa.asynchronous import task


@task
def run_job_task(job_id: str) -> None:
    from catsite.jobs.runner import run_job

    run_job(job_id)
