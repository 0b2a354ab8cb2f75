"""JSON Schema of the scenario format, for editors and other tools.

Editors that use the YAML language server (VS Code's YAML extension, Neovim, Helix)
complete and check a scenario file whose first line is::

    # yaml-language-server: $schema=./detente.schema.json

after ``detente schema > detente.schema.json`` (``detente init`` writes both).
"""

from __future__ import annotations

from typing import Any

from detente.scenario.model import FORMAT_VERSION, Scenario

SCHEMA_FILE = "detente.schema.json"
MODELINE = f"# yaml-language-server: $schema=./{SCHEMA_FILE}"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every valid scenario file satisfies."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": f"detente scenario (format {FORMAT_VERSION})",
    }
