"""File-import driver: ZKTeco USB ``attlog.dat`` exports and CSV files with a column mapping."""
