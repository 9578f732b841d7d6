"""A faithful local Chat&Messenger server (Starlette + uvicorn + SQLite) with demo data and a live simulation.

Start one with `camtui.sandbox.runner.start_sandbox()` (tests) / `start_sandbox_process()` (demo, benchmarks),
or `camtui serve` from the shell. Nothing heavy is imported here, so `camtui --help` stays fast.
"""
