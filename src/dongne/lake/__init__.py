"""The regional data lake: plain Python, no Django (ARCHITECTURE.md rule 5).

io/       readers for files (CSV/TSV, XLSX, JSON, JSON Lines, Parquet) and connectors for public-data APIs
store     dataset versions as Parquet files, made visible atomically
ingest    reader → normalised Parquet version with schema, profile and preview
query     filters, sort, paging, group-by and read-only SQL on an engine (DuckDB by default, Spark for scale)
"""
