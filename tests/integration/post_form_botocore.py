#!/usr/bin/env python3
"""A POST form made by botocore, with the command line of `sigv4 presign-post`.

usage: post_form_botocore.py --endpoint URL [--region R] [--expires SECONDS]
                             [--date YYYYMMDDTHHMMSSZ] [--key-prefix]
                             [--content-type T | --content-type-prefix P]
                             [--min-size BYTES] [--max-size BYTES]
                             [--success-status 200|201|204 | --redirect URL]
                             [--field name=value]... [--condition-prefix name=prefix]...
                             s3://BUCKET/KEY

Prints {"url": ..., "fields": {...}} like `sigv4 presign-post --format json`, from
botocore's S3 client generate_presigned_post (path-style addressing, SigV4). The credentials
come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN). The
integration tests (post_test.sh) post the same cases with this form and with sigv4's, so that
what RGW accepts and refuses is shown for a form the library under test did not make.

Only the options post_test.sh uses are implemented; --date fixes botocore's clock.
"""

import argparse
import datetime
import json
import os
import sys

import botocore.auth
import botocore.session
import botocore.signers
from botocore.config import Config


def parse_args(argv):
    p = argparse.ArgumentParser(prog="post_form_botocore.py")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--expires", type=int, default=3600)
    p.add_argument("--date")
    p.add_argument("--key-prefix", action="store_true")
    p.add_argument("--content-type")
    p.add_argument("--content-type-prefix")
    p.add_argument("--min-size", type=int)
    p.add_argument("--max-size", type=int)
    p.add_argument("--success-status")
    p.add_argument("--redirect")
    p.add_argument("--field", action="append", default=[])
    p.add_argument("--condition-prefix", action="append", default=[])
    p.add_argument("target")
    return p.parse_args(argv)


def fix_clock(date_text):
    # botocore reads the time through get_current_datetime in both modules (the policy's
    # expiration in signers, x-amz-date in auth).
    when = datetime.datetime.strptime(date_text, "%Y%m%dT%H%M%SZ")
    botocore.signers.get_current_datetime = lambda: when
    botocore.auth.get_current_datetime = lambda: when


def main(argv):
    a = parse_args(argv)
    if not a.target.startswith("s3://") or "/" not in a.target[5:]:
        sys.exit("post_form_botocore.py: the target must be s3://BUCKET/KEY")
    bucket, key = a.target[5:].split("/", 1)
    if a.date:
        fix_clock(a.date)

    fields, conditions = {}, []
    if a.key_prefix:
        # botocore turns a key ending in ${filename} into ["starts-with", "$key", prefix].
        key = key + "${filename}"
    if a.content_type is not None:
        fields["Content-Type"] = a.content_type
        conditions.append({"Content-Type": a.content_type})
    if a.content_type_prefix is not None:
        conditions.append(["starts-with", "$Content-Type", a.content_type_prefix])
    if a.min_size is not None or a.max_size is not None:
        conditions.append(["content-length-range", a.min_size or 0, a.max_size if a.max_size is not None else 5 << 30])
    if a.success_status is not None:
        fields["success_action_status"] = a.success_status
        conditions.append({"success_action_status": a.success_status})
    if a.redirect is not None:
        fields["success_action_redirect"] = a.redirect
        conditions.append({"success_action_redirect": a.redirect})
    for f in a.field:
        name, value = f.split("=", 1)
        fields[name] = value
        conditions.append({name: value})
    for c in a.condition_prefix:
        name, prefix = c.split("=", 1)
        conditions.append(["starts-with", "$" + name, prefix])

    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=a.endpoint,
        region_name=a.region,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=os.environ.get("AWS_SESSION_TOKEN") or None,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    form = client.generate_presigned_post(bucket, key, Fields=fields, Conditions=conditions, ExpiresIn=a.expires)
    print(json.dumps(form))


if __name__ == "__main__":
    main(sys.argv[1:])
