"""`make run`'s demo: the demo workspace's VMN forwards to the portal's endpoint on the sandbox."""

import pytest
from django.core.management import call_command

from accounts.management.commands.seed_demo import DEMO_VMN
from inbound.models import VirtualNumber
from sandbox.models import VirtualNumber as SandboxNumber

pytestmark = pytest.mark.django_db


def test_seed_demo_wires_the_demo_vmn_to_the_sandbox_once():
    SandboxNumber.objects.filter(number=DEMO_VMN).delete()  # left by no other test, to be sure
    call_command("seed_demo", url="http://127.0.0.1:8000", stdout=None)
    call_command("seed_demo", url="http://127.0.0.1:8000", stdout=None)
    vmn = VirtualNumber.objects.get(workspace__slug="demo")
    on_sandbox = SandboxNumber.objects.get(number=vmn.number.lstrip("+"))
    assert on_sandbox.forward_url == f"http://127.0.0.1:8000/inbound/{vmn.key}/"
    assert (on_sandbox.forward_method, on_sandbox.forward_auth) == (vmn.method, vmn.auth)
