"""`python -m camtui` is the same as the `camtui` command."""

from camtui.cli import main

raise SystemExit(main())
