"""In-warehouse training: every optimizer step is one aggregate SQL query."""
