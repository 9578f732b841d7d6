"""`python -m camtui` is the same as the `camtui` command."""

from camtui.cli.main import main

raise SystemExit(main())
