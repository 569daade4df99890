"""Options shared by every ``jamdeck`` command (its own module so the command
groups in other files can use them without importing ``desktop.cli``)."""

from __future__ import annotations

from pathlib import Path

import click


def data_dir_option(f):
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Directory of the library (default: JAMDECK_DATA_DIR or the platform's data dir).",
    )(f)
