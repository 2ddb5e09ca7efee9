"""The outbox: how anything leaves the platform.

A message is written by :func:`qalxan.outbox.service.enqueue` in the same database transaction
as the change that causes it (a CTI notification, a public warning), so that nothing is sent for
a change that was rolled back and nothing is lost when the process dies after the commit. A
deliverer (:func:`qalxan.outbox.deliver.deliver`, run by ``qalxan outbox deliver`` or in a
worker's background) later sends each due message through the adapter of its channel
(:mod:`qalxan.outbox.adapters`), retrying with exponential backoff and giving up after
``QALXAN_OUTBOX_MAX_ATTEMPTS`` attempts.

Delivery is at least once: a message marked sent is never sent again, but a process that dies
between a receiver's acceptance and the commit of ``sent`` sends that message once more after
its lease runs out. Every message therefore carries its id to the receiver (``Message-ID``,
``X-Qalxan-Message-Id``) so that a receiver can drop a repeat.
"""
