"""Files: the .vsm document (SQLite) and its migrations, vsm-json, step tables (CSV and XLSX),
locks, working copies, the one atomic writer and the bundled templates and examples.

Each module is imported by name; the format libraries (sqlite-utils, openpyxl) load on first use.
"""
