"""The one reader: bytes to text, text to nodes, nodes to the values Optimize holds.

Nothing outside this package imports a YAML parser. ``read_source`` decodes a file,
``read_config`` reads a configuration as Optimize's reader does (``tree``), ``load_data`` reads our
own data files the same way, and ``emit_scalar`` writes values back as safe YAML text.
"""

from hardener.yaml.emit import emit_key, emit_scalar
from hardener.yaml.nodes import MAX_DEPTH, Node, NodeTree, parse_nodes
from hardener.yaml.source import MAX_CONFIG_BYTES, SourceText, decode_source, read_source
from hardener.yaml.tree import (
    Config,
    DocPath,
    Mark,
    load_data,
    lookup,
    parse_text,
    read_config,
    walk,
)

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_DEPTH",
    "Config",
    "DocPath",
    "Mark",
    "Node",
    "NodeTree",
    "SourceText",
    "decode_source",
    "load_data",
    "lookup",
    "parse_nodes",
    "parse_text",
    "read_config",
    "read_source",
    "walk",
    "emit_key",
    "emit_scalar",
]
