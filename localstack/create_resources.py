#!/usr/bin/env python3
"""Create datafactory's AWS resources on an emulator (LocalStack, moto server) or any endpoint.

What it creates, mirroring infra/template.yaml:
  - the data bucket (public access blocked, SSE-S3, `jobs/` expiring after 30 days),
  - the ingest queue and its dead-letter queue (redrive after 5 receives), with a queue policy
    letting the bucket send to it,
  - the bucket notification: s3:ObjectCreated:* under `inbox/` -> ingest queue,
  - the state table: `pk` (S, HASH) + `sk` (S, RANGE), on demand, TTL on `expires_at`.

Idempotent: running it again leaves existing resources as they are (and re-applies settings).
The endpoint comes from AWS_ENDPOINT_URL (default http://127.0.0.1:4566, LocalStack's port);
region from AWS_REGION / AWS_DEFAULT_REGION (default us-east-1); credentials default to test/test
when none are set. Prints the names, URLs and ARNs as JSON on stdout.

    python3 localstack/create_resources.py                      # LocalStack on :4566
    AWS_ENDPOINT_URL=http://127.0.0.1:5077 python3 localstack/create_resources.py --bucket b1
"""

import argparse
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def log(msg):
    print(msg, file=sys.stderr)


def code(err):
    return err.response.get("Error", {}).get("Code", "")


def best_effort(what, fn, **kwargs):
    """Settings an emulator may not implement: warn and go on instead of failing."""
    try:
        fn(**kwargs)
    except ClientError as err:
        log(f"warning: {what} not applied: {code(err)}: {err}")


def ensure_bucket(s3, bucket, region):
    try:
        s3.head_bucket(Bucket=bucket)
        log(f"bucket {bucket}: exists")
    except ClientError as err:
        if code(err) not in ("404", "NoSuchBucket", "NotFound"):
            raise
        kwargs = {"Bucket": bucket}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            s3.create_bucket(**kwargs)
            log(f"bucket {bucket}: created")
        except ClientError as err2:
            if code(err2) != "BucketAlreadyOwnedByYou":
                raise
    best_effort(
        "public access block",
        s3.put_public_access_block,
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    best_effort(
        "default encryption",
        s3.put_bucket_encryption,
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    best_effort(
        "lifecycle",
        s3.put_bucket_lifecycle_configuration,
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-job-intermediates",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "jobs/"},
                    "Expiration": {"Days": 30},
                },
                {
                    "ID": "abort-incomplete-multipart-uploads",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                },
            ]
        },
    )


def ensure_queue(sqs, name, attributes):
    """Create the queue, or find it and (re)apply its attributes; returns (url, arn)."""
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        log(f"queue {name}: exists")
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    except ClientError as err:
        if code(err) not in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            raise
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        log(f"queue {name}: created")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def ensure_table(ddb, table):
    try:
        ddb.describe_table(TableName=table)
        log(f"table {table}: exists")
    except ClientError as err:
        if code(err) != "ResourceNotFoundException":
            raise
        ddb.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )
        ddb.get_waiter("table_exists").wait(
            TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        log(f"table {table}: created")
    ttl = ddb.describe_time_to_live(TableName=table).get("TimeToLiveDescription", {})
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        ddb.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": True},
        )
    elif ttl.get("AttributeName") != "expires_at":
        log(f"warning: TTL of {table} is on {ttl.get('AttributeName')!r}, not 'expires_at'")
    best_effort(
        "point-in-time recovery",
        ddb.update_continuous_backups,
        TableName=table,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bucket", default="datafactory-local", help="data bucket name")
    p.add_argument("--queue", help="ingest queue name (default <bucket>-ingest)")
    p.add_argument("--dlq", help="dead-letter queue name (default <queue>-dlq)")
    p.add_argument("--table", help="state table name (default <bucket>-state)")
    p.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT,
        help="AWS endpoint (default: $AWS_ENDPOINT_URL, else %(default)s)",
    )
    args = p.parse_args()
    queue = args.queue or f"{args.bucket}-ingest"
    dlq = args.dlq or f"{queue}-dlq"
    table = args.table or f"{args.bucket}-state"

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    session = boto3.session.Session(region_name=region)
    cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3})

    def client(name):
        return session.client(name, endpoint_url=args.endpoint_url, config=cfg)

    s3, sqs, ddb = client("s3"), client("sqs"), client("dynamodb")

    ensure_bucket(s3, args.bucket, region)

    dlq_url, dlq_arn = ensure_queue(sqs, dlq, {"MessageRetentionPeriod": "1209600"})
    queue_url, queue_arn = ensure_queue(sqs, queue, {"VisibilityTimeout": "1800"})
    sqs.set_queue_attributes(
        QueueUrl=queue_url,
        Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
            "Policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AllowDataBucketNotifications",
                            "Effect": "Allow",
                            "Principal": {"Service": "s3.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": queue_arn,
                            "Condition": {
                                "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{args.bucket}"}
                            },
                        }
                    ],
                }
            ),
        },
    )

    # Replaces the whole notification configuration, so re-running does not duplicate it.
    s3.put_bucket_notification_configuration(
        Bucket=args.bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "inbox-to-ingest",
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "inbox/"}]}},
                }
            ]
        },
    )
    log(f"notification: s3://{args.bucket}/inbox/ -> {queue}")

    ensure_table(ddb, table)

    print(
        json.dumps(
            {
                "endpoint_url": args.endpoint_url,
                "region": region,
                "bucket": args.bucket,
                "table": table,
                "ingest_queue_url": queue_url,
                "ingest_queue_arn": queue_arn,
                "dead_letter_queue_url": dlq_url,
                "dead_letter_queue_arn": dlq_arn,
                "env": {
                    "AWS_ENDPOINT_URL": args.endpoint_url,
                    "AWS_REGION": region,
                    "DATAFACTORY_BUCKET": args.bucket,
                    "DATAFACTORY_TABLE": table,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
