"""Loads the Bijlage 4 indicator catalogues from ``fixtures/reference/indicators``.

Every file is validated completely before anything is written; a broken file
is refused with one line per problem naming the file, the item and what is
wrong. Versions: an unchanged file changes nothing; a changed file rewrites
its version only while no answer refers to it, otherwise it becomes a new
version, so answers keep the item rows they were given under.

``parsing`` reads and validates the files, ``loading`` stores them;
every public name is re-exported here.
"""

from evaluation.catalogue.loading import (
    catalogue_load,
    current_catalogue,
    load_catalogues,
)
from evaluation.catalogue.parsing import (
    CATALOGUE_DIR,
    CatalogueError,
    ParsedCatalogue,
    parse_catalogue_dir,
    parse_catalogue_file,
    topic_recorded_at,
)

__all__ = [
    "CATALOGUE_DIR",
    "CatalogueError",
    "ParsedCatalogue",
    "catalogue_load",
    "current_catalogue",
    "load_catalogues",
    "parse_catalogue_dir",
    "parse_catalogue_file",
    "topic_recorded_at",
]
