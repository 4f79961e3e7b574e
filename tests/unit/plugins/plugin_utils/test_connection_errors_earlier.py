"""A command that never reached the host, in a task whose earlier commands did: the message must not say unchanged."""

from __future__ import annotations

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._connection_errors import (
    after_earlier_commands,
)

UNCHANGED = (
    "certificate_request: the WinRM connection was closed without an answer while starting the command. "
    "The host was not changed: the operation never reached it. Run the task again."
)


def test_one_earlier_command_makes_the_host_possibly_changed() -> None:
    text = after_earlier_commands(UNCHANGED, 1)
    assert "The host was not changed" not in text
    assert "The operation may have run and changed the host. This command never reached it, but the task's " in text
    assert "earlier command did." in text
    assert text.endswith("so a re-run completes or confirms the change.")
    assert text.startswith("certificate_request: the WinRM connection was closed without an answer")


def test_several_earlier_commands_are_counted() -> None:
    assert "the task's earlier 2 commands did." in after_earlier_commands(UNCHANGED, 2)


def test_a_message_that_already_says_may_have_changed_stays_as_it_is() -> None:
    message = "x: lost while reading the command's output. The operation may have run and changed the host. Run it."
    assert after_earlier_commands(message, 1) == message
