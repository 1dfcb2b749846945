"""Text messages (手机短信) through a pluggable backend, chosen by ``settings.SMS_BACKEND`` (a dotted path).

A backend is a class with ``send(phone, text)``; it raises on failure (the delivery task then
retries). A real SMS gateway gets its own class, e.g. ``myproject.sms.GatewayBackend``, reading its
credentials from the environment. Shipped:

- ``portal.sms.LogBackend`` (default): writes each message to the log, sends nothing.
- ``portal.sms.LocmemBackend``: keeps messages in ``portal.sms.outbox`` (a list), for tests.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox = []  # LocmemBackend's messages: (phone, text)


class LogBackend:
    def send(self, phone, text):
        logger.info("SMS to %s: %s", phone, text)


class LocmemBackend:
    def send(self, phone, text):
        outbox.append((phone, text))


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send(phone, text):
    get_backend().send(phone, text)
