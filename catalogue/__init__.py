"""Store of record, harvest pipeline, CLI and configuration."""
