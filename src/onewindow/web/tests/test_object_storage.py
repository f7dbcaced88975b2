"""Files in S3-compatible object storage (ADR 0029), against a local S3 server (moto) on a
free port: a material uploaded through the real service lands in the private bucket and
comes back only through the app's download, after its access check; audit checkpoints
are exported to their own bucket and verified from there."""

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from onewindow.audit.services import audit_seal
from onewindow.audit.verification import audit_verify
from onewindow.cases.tests.factories import pdf_bytes, submit_online
from onewindow.identity.models import Account
from onewindow.settings.storage import SIGNED_URL_SECONDS, storages_settings
from onewindow.testing.world import build_world

FILES, AUDIT = "onewindow-files", "onewindow-audit"
CREDENTIALS = {"ONEWINDOW_S3_ACCESS_KEY_ID": "local", "ONEWINDOW_S3_SECRET_ACCESS_KEY": "local",
               "ONEWINDOW_S3_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, tmp_path):
    """Both storages in buckets of the local server, configured as an operator would."""
    env = {**CREDENTIALS, "ONEWINDOW_STORAGE": "s3", "ONEWINDOW_S3_BUCKET": FILES,
           "ONEWINDOW_S3_ENDPOINT_URL": s3_server, "ONEWINDOW_S3_ADDRESSING_STYLE": "path",
           "ONEWINDOW_AUDIT_CHECKPOINT_BUCKET": AUDIT}
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    for name in (FILES, AUDIT):
        client.create_bucket(Bucket=name)
    settings.STORAGES = storages_settings(env, var_dir=tmp_path)
    settings.MEDIA_ROOT = tmp_path / "not-used"
    settings.ONEWINDOW_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-key.pem")
    yield client
    for name in (FILES, AUDIT):
        for stored in client.list_objects_v2(Bucket=name).get("Contents", []):
            client.delete_object(Bucket=name, Key=stored["Key"])
        client.delete_bucket(Bucket=name)


def _keys(client, name: str) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", [])]


@pytest.mark.django_db
def test_a_material_goes_to_the_bucket_and_back_only_through_the_app(bucket, client, now,
                                                                     settings, s3_server):
    world = build_world(now=now)
    case = submit_online(world, now)
    records = list(case.files.all())
    record = records[0]
    uploaded = pdf_bytes(record.case_material.name)

    # In the bucket under the storage's own names, nothing on local disk.
    assert sorted(_keys(bucket, FILES)) == sorted(r.file.name for r in records)
    assert bucket.get_object(Bucket=FILES, Key=record.file.name)["Body"].read() == uploaded
    assert not settings.MEDIA_ROOT.exists()

    # The clerk downloads through the page: the app streams it, no redirect to the bucket.
    client.force_login(world.clerk)
    download = client.get(reverse("web:case-file", args=[record.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == uploaded

    # Someone outside the case gets nothing, whatever the bucket holds.
    client.force_login(world.other_clerk)
    assert client.get(reverse("web:case-file", args=[record.pk])).status_code == 404

    # Nothing is public: the object's own URL is signed and short-lived.
    url = record.file.url
    assert "X-Amz-Signature=" in url and f"X-Amz-Expires={SIGNED_URL_SECONDS}" in url
    grants = bucket.get_object_acl(Bucket=FILES, Key=record.file.name)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers grant
    # Nor does the admin site link one past the case pages' access check.
    client.force_login(Account.objects.create_superuser("root-admin", "x-pass-2026"))
    detail = client.get(reverse("admin:cases_casefile_change", args=[record.pk]))
    assert detail.status_code == 200 and record.original_name in detail.content.decode()
    assert s3_server not in detail.content.decode()


@pytest.mark.django_db
def test_audit_checkpoints_are_exported_to_their_bucket_and_verified_from_it(bucket, now):
    submit_online(build_world(now=now), now)
    sealed = audit_seal(now=now)
    assert sealed.checkpoints >= 1
    assert _keys(bucket, AUDIT) == [f"checkpoint-{seq:012d}.json"
                                    for seq in range(1, sealed.checkpoints + 1)]
    assert audit_verify(now=now).ok
