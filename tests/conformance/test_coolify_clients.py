"""Coolify: coolipy and ChatCoolify against the emulator."""


def test_coolipy(emulators):
    emulators.run_client("coolipy", "coolipy_client.py")


def test_chatcoolify(emulators):
    emulators.run_client("chatcoolify", "chatcoolify_client.py")
