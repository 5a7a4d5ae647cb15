"""What 1M page views and 1M API calls cost through each front door, with and without CloudFront:
AWS's published prices (us-east-1, each with its page and the day it was read) over the durations
`catsite_tools.bench.doors` measures. `scripts/bench --only doors` prints the table; docs/edge.md
keeps the latest one.

A page view is its first visit: the HTML and the assets it loads (`PAGE_REQUESTS`, `PAGE_BYTES`:
Lighthouse's transfer of the home page, cat pictures aside). Assets are immutable, so a repeat
view is the HTML alone; the table's figure is the dearer first visit. An API call is `GET /cat`.
Free tiers are left out (CloudFront's always-free 1 TB and 10M requests a month would make small
sites' CloudFront lines zero), and so is the bucket's storage, which every option pays alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from catsite_tools.bench.doors import billed_ms

READ = "2026-12-04"


@dataclass(frozen=True)
class Price:
    usd: float
    per: str
    page: str
    read: str = READ


PRICES = {
    "lambda_request": Price(0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/"),
    "lambda_gb_second": Price(0.0000166667, "GB-second (x86)", "https://aws.amazon.com/lambda/pricing/"),
    "rest_request": Price(
        3.50 / 1e6, "request (first 333M a month)", "https://aws.amazon.com/api-gateway/pricing/"
    ),
    "http_request": Price(
        1.00 / 1e6, "request (first 300M a month)", "https://aws.amazon.com/api-gateway/pricing/"
    ),
    # a Function URL adds no fee of its own: the function's requests and duration are the bill
    "url_request": Price(0.0, "request", "https://aws.amazon.com/lambda/pricing/"),
    "alb_hour": Price(0.0225, "load balancer hour", "https://aws.amazon.com/elasticloadbalancing/pricing/"),
    "alb_lcu_hour": Price(0.008, "LCU-hour", "https://aws.amazon.com/elasticloadbalancing/pricing/"),
    "cloudfront_https_request": Price(
        0.0100 / 10_000, "HTTPS request (United States)", "https://aws.amazon.com/cloudfront/pricing/"
    ),
    "cloudfront_gb_out": Price(
        0.085, "GB out (United States, first 10 TB)", "https://aws.amazon.com/cloudfront/pricing/"
    ),
    # origin fetches from AWS origins (S3, API Gateway, Lambda, ELB) to CloudFront are free (same page)
    "internet_gb_out": Price(
        0.09, "GB out to the internet (first 10 TB)", "https://aws.amazon.com/ec2/pricing/on-demand/"
    ),
    "s3_get": Price(0.0004 / 1000, "GET request (S3 Standard)", "https://aws.amazon.com/s3/pricing/"),
}

#: The home page's first visit (Lighthouse, cat pictures aside): the HTML and three assets.
PAGE_REQUESTS = 4
PAGE_BYTES = 14_000
HTML_BYTES = 4_500
API_BYTES = 700
#: An ALB's LCU for Lambda targets is 0.4 GB processed an hour (the ELB pricing page); at 1M
#: requests a month (about 0.4 a second) bytes are the dimension that counts.
ALB_LCU_GB_PER_HOUR = 0.4
HOURS_A_MONTH = 730
MILLION = 1_000_000
GB = 1e9

DOORS = ("rest", "http", "url", "alb")
NAMES = {"rest": "REST API (Regional)", "http": "HTTP API", "url": "Function URL", "alb": "ALB"}


def lambda_cost(duration_ms: float, memory_mb: int) -> float:
    """One invocation: its request and its billed GB-seconds."""
    seconds = billed_ms(duration_ms) / 1000
    return PRICES["lambda_request"].usd + seconds * memory_mb / 1024 * PRICES["lambda_gb_second"].usd


def door_request(door: str) -> float:
    return {"rest": PRICES["rest_request"], "http": PRICES["http_request"], "url": PRICES["url_request"]}.get(
        door, Price(0.0, "", "")
    ).usd


def alb_lcu(bytes_per_request: int, requests: int = MILLION) -> float:
    """LCU-hours a month of `requests` of `bytes_per_request` through an ALB (bytes processed)."""
    return requests * bytes_per_request / GB / ALB_LCU_GB_PER_HOUR * PRICES["alb_lcu_hour"].usd


def per_million(door: str, edge: bool, kind: str, duration_ms: float, memory_mb: int) -> float:
    """Dollars for 1M page views (`kind` "page") or API calls ("api") through `door`."""
    dynamic_bytes = HTML_BYTES if kind == "page" else API_BYTES
    total_bytes = PAGE_BYTES if kind == "page" else API_BYTES
    requests = PAGE_REQUESTS if kind == "page" else 1
    cost = lambda_cost(duration_ms, memory_mb) + door_request(door)
    if door == "alb":
        cost += alb_lcu(dynamic_bytes) / MILLION
    if edge:
        # every request is CloudFront's; the origin's answers reach it free of transfer charges
        cost += (
            requests * PRICES["cloudfront_https_request"].usd
            + total_bytes / GB * PRICES["cloudfront_gb_out"].usd
        )
    else:
        # the door sends the dynamic answer out; the assets come from the bucket itself
        cost += dynamic_bytes / GB * PRICES["internet_gb_out"].usd
        if kind == "page":
            cost += (requests - 1) * PRICES["s3_get"].usd + (total_bytes - dynamic_bytes) / GB * PRICES[
                "internet_gb_out"
            ].usd
    return cost * MILLION


def table(durations: dict, memory_mb: int) -> str:
    """The markdown table of every door with and without CloudFront (chosen one first)."""
    rows = ["| front door | per 1M page views | per 1M API calls | fixed a month |", "|---|---:|---:|---:|"]
    order = [("rest", True), *((d, True) for d in DOORS if d != "rest"), *((d, False) for d in DOORS)]
    for door, edge in order:
        measured = durations.get("cdn" if (edge and door == "rest") else door) or durations[door]
        name = f"CloudFront + {NAMES[door]}" if edge else f"{NAMES[door]} alone"
        if (door, edge) == ("rest", True):
            name += " (chosen)"
        fixed = HOURS_A_MONTH * PRICES["alb_hour"].usd if door == "alb" else 0.0
        page = per_million(door, edge, "page", measured["page"], memory_mb)
        api = per_million(door, edge, "api", measured["api"], memory_mb)
        rows.append(f"| {name} | ${page:.2f} | ${api:.2f} | {f'${fixed:.2f}' if fixed else '-'} |")
    return "\n".join(rows) + "\n"


def prices_list() -> str:
    return "\n".join(
        f"- {name}: ${price.usd:.10g} per {price.per} ({price.page}, read {price.read})"
        for name, price in PRICES.items()
    )
