"""The alarm topic mails the address `catsite_operations.alarm_email` names, and only the one the
deploy subscribed is ever removed: a changed address replaces it, an emptied one removes it, and a
subscription someone made by hand stays (against SNS on the local moto server)."""

from __future__ import annotations

import uuid

import boto3
import pytest

from catsite_tools.deploy.operations import alarm_email


@pytest.fixture
def sns(local_s3):
    return boto3.client("sns", endpoint_url=local_s3.url, region_name="us-east-1")


@pytest.fixture
def topic(sns):
    arn = sns.create_topic(Name=f"catsite-test-{uuid.uuid4().hex[:8]}-alarms")["TopicArn"]
    yield arn
    sns.delete_topic(TopicArn=arn)


def mailed(sns, topic: str) -> list[str]:
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    return sorted(s["Endpoint"] for s in listed if s["Protocol"] == "email")


def deploy(sns, topic: str, email: str) -> list[str]:
    said: list[str] = []
    alarm_email(sns, topic, email, said.append)
    return said


def test_a_configured_address_is_subscribed_once(sns, topic):
    deploy(sns, topic, "ops@example.com")
    deploy(sns, topic, "ops@example.com")
    assert mailed(sns, topic) == ["ops@example.com"]


def test_a_changed_address_replaces_the_one_the_deploy_subscribed(sns, topic):
    deploy(sns, topic, "ops@example.com")
    said = deploy(sns, topic, "on-call@example.com")
    assert mailed(sns, topic) == ["on-call@example.com"]
    assert any("ops@example.com" in line and "unsubscribed" in line for line in said)


def test_an_emptied_address_is_unsubscribed(sns, topic):
    deploy(sns, topic, "ops@example.com")
    deploy(sns, topic, "")
    assert mailed(sns, topic) == []


def test_a_subscription_made_by_hand_is_kept(sns, topic):
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="manager@example.com")
    deploy(sns, topic, "ops@example.com")
    deploy(sns, topic, "on-call@example.com")
    deploy(sns, topic, "")
    assert mailed(sns, topic) == ["manager@example.com"]


def test_an_address_subscribed_by_hand_before_it_was_configured_is_not_subscribed_twice(sns, topic):
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    deploy(sns, topic, "ops@example.com")
    assert mailed(sns, topic) == ["ops@example.com"]


def test_the_address_is_kept_as_a_digest_not_in_the_clear(sns, topic):
    deploy(sns, topic, "ops@example.com")
    tags = sns.list_tags_for_resource(ResourceArn=topic)["Tags"]
    assert tags and all("ops@example.com" not in t["Value"] for t in tags)
