"""`python -m bot` is the same as the `kakehashi` command."""

from bot.cli.main import main

raise SystemExit(main())
