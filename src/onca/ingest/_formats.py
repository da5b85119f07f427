"""The file formats ingest reads, and the file suffixes that name them (no heavy imports, so
that the command line can name them without loading the readers)."""

FORMATS = ("csv", "parquet", "xlsx", "ftm")
SUFFIX_FORMAT = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".ftm": "ftm",
    ".jsonl": "ftm",
    ".json": "ftm",
}
