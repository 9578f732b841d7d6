"""camtui: a terminal dashboard for the Chat&Messenger API, with a local sandbox server."""

__version__ = "0.1.0"
