"""Labelled synthetic contributions written to one Parquet file, chunk by chunk, in parallel.

Ten million rows as Python objects would not fit beside the engine, and one core makes about
100,000 a second: so each worker process makes whole chunks (``Generator.chunk``: every person's
gifts inside one chunk) and this process appends them to the file in chunk order as they come.
Memory stays at a few chunks whatever the size, and the file depends only on (records, seed) —
not on the number of workers — because a chunk's rows depend only on the seed and its index.
"""

from __future__ import annotations

import multiprocessing
import os
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from groundswell.demo.identity_synthetic import COLUMNS, Generator

CHUNK = 250_000  # rows per chunk (and per row group); part of what a seed means, keep it fixed
SCHEMA = pa.schema(
    [("unique_id", pa.int64()), ("person", pa.int64())] + [(c, pa.string()) for c in COLUMNS[2:]]
)


@cache
def _generator(records: int, seed: int) -> Generator:
    # Once per worker process: the shared pools (names, places, employers) for this data set.
    return Generator(seed, records)


def contributions_chunk(records: int, seed: int, index: int, chunk: int = CHUNK) -> pa.Table:
    """Chunk ``index`` of the (records, seed) data set as an Arrow table."""
    start = index * chunk
    count = min(chunk, records - start)
    rows = _generator(records, seed).chunk(index, start, count)
    columns = list(zip(*rows, strict=True))
    return pa.Table.from_arrays(
        [pa.array(values, type=field.type) for values, field in zip(columns, SCHEMA, strict=True)],
        schema=SCHEMA,
    )


def _chunk_job(job: tuple[int, int, int, int]) -> pa.Table:
    return contributions_chunk(*job)


def contributions_write(
    path: Path, records: int, *, seed: int = 7, workers: int = 0, chunk: int = CHUNK
) -> Path:
    """Write ``records`` labelled rows to ``path`` (atomically: a partial file never appears).

    ``workers`` processes make the chunks (default: one per core; 1 makes them here).
    """
    path = Path(path)
    workers = workers or os.cpu_count() or 1
    jobs = [(records, seed, index, chunk) for index in range((records + chunk - 1) // chunk)]
    partial = path.with_suffix(".partial")
    with pq.ParquetWriter(partial, SCHEMA) as writer:
        if workers == 1 or len(jobs) == 1:
            for job in jobs:
                writer.write_table(_chunk_job(job), row_group_size=chunk)
        else:
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(min(workers, len(jobs))) as pool:
                # imap keeps chunk order; the file is appended while later chunks are made.
                for table in pool.imap(_chunk_job, jobs):
                    writer.write_table(table, row_group_size=chunk)
    partial.rename(path)
    return path
