"""The one value catsite reads from AWS Systems Manager Parameter Store: a SecureString.

Made from the process's one botocore session (`catsite.s3.client`), so the same credentials,
the same SnapStart refresh and the same bounded patience as S3: Parameter Store that does not
answer within a few seconds, refuses, or has no such parameter becomes `SecretUnavailable` (a
503 to the request that needed it), never a hung request. The client is made per read (reads
are minutes apart, `catsite.web.admin`), so none lives in a SnapStart snapshot. Its endpoint is
botocore's to resolve (`AWS_ENDPOINT_URL_SSM` for an emulator).
"""

from __future__ import annotations

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from catsite.errors import SecretUnavailable
from catsite.s3.client import _lock, shared_session

SSM_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"})


def read_secure_parameter(name: str, region: str) -> str:
    """The decrypted value of the SecureString parameter `name` (SSM API reference,
    GetParameter with WithDecryption)."""
    session = shared_session()
    with _lock:
        client = session.create_client("ssm", region_name=region, config=SSM_CLIENT_CONFIG)
    try:
        answer = client.get_parameter(Name=name, WithDecryption=True)
    except (ClientError, BotoCoreError) as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
        raise SecretUnavailable(f"parameter {name} could not be read ({code})") from error
    finally:
        client.close()
    return answer["Parameter"]["Value"]
