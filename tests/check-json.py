#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate page-anon JSON output (one document per line, or one pretty
document) against the schema for its "type", or with --schema NAME every
document against NAME.schema.json (e.g. a whole -l listing against
page.schema.json).  Schemas refer to each other by their "$id".

    check-json.py [--schema NAME] SCHEMA_DIR FILE
"""
import glob
import json
import sys

import jsonschema


def validator_for(schema, all_schemas):
    """A validator that resolves "$ref"s to the other schemas locally."""
    cls = jsonschema.Draft202012Validator
    try:
        from referencing import Registry, Resource
    except ImportError:        # jsonschema before 4.18
        store = {s["$id"]: s for s in all_schemas}
        return cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
    registry = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in all_schemas])
    return cls(schema, registry=registry)


def main():
    args = sys.argv[1:]
    forced = None
    if args[:1] == ["--schema"]:
        forced, args = args[1], args[2:]
    schema_dir, path = args[0], args[1]
    all_schemas = []
    for f in sorted(glob.glob(f"{schema_dir}/*.schema.json")):
        with open(f, encoding="utf-8") as fh:
            all_schemas.append(json.load(fh))
    schemas = {}
    text = open(path, encoding="utf-8").read()
    # a stream: one document per line (compact) or several pretty ones
    docs = []
    dec = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        try:
            doc, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            sys.exit(f"{path}: not JSON at offset {pos}: {e}")
        docs.append(doc)
    if not docs:
        sys.exit(f"{path}: no JSON document")
    for doc in docs:
        kind = forced or doc.get("type")
        if kind not in schemas:
            try:
                with open(f"{schema_dir}/{kind}.schema.json", encoding="utf-8") as f:
                    schemas[kind] = validator_for(json.load(f), all_schemas)
            except OSError:
                sys.exit(f"{path}: unknown document type {kind!r}")
        schemas[kind].validate(doc)
    print(f"{path}: {len(docs)} document(s) valid")


if __name__ == "__main__":
    main()
