"""`python -m vsm`: the same command line as the `vsm` script."""

from vsm.cli.main import main

raise SystemExit(main())
