"""The `vsm` command line (vsm.cli.main): report, compare, convert, export, plan, templates, new,
import and edit."""
