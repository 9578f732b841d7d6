"""`camtui web`: the dashboard in a browser (textual-serve's app service behind camtui's own auth and limits)."""
