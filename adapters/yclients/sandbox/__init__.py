"""A sandbox YClients branch: the demo salon served over the same endpoints and envelopes.

In-process: `async with running_sandbox() as sandbox: ...` (see `runner`); on its own:
`standalone.run_standalone(host, port)`.
"""

from adapters.yclients.sandbox.app import build_sandbox_app
from adapters.yclients.sandbox.control import Fault, LoggedRequest, SandboxControl
from adapters.yclients.sandbox.fixture import DEMO_SALON, SalonFixture, load_fixture
from adapters.yclients.sandbox.runner import RunningSandbox, running_sandbox
from adapters.yclients.sandbox.salon import SandboxSalon
from adapters.yclients.sandbox.webhooks import Delivery, RecordWebhooks, WebhookConfig

__all__ = [
    "DEMO_SALON",
    "Delivery",
    "Fault",
    "LoggedRequest",
    "RecordWebhooks",
    "RunningSandbox",
    "SalonFixture",
    "SandboxControl",
    "SandboxSalon",
    "WebhookConfig",
    "build_sandbox_app",
    "load_fixture",
    "running_sandbox",
]
