#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate page-anon JSON output (one document per line, or one pretty
document) against the schema for its "type".

    check-json.py SCHEMA_DIR FILE
"""
import json
import sys

import jsonschema


def main():
    schema_dir, path = sys.argv[1], sys.argv[2]
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
        kind = doc.get("type")
        if kind not in schemas:
            try:
                with open(f"{schema_dir}/{kind}.schema.json", encoding="utf-8") as f:
                    schemas[kind] = json.load(f)
            except OSError:
                sys.exit(f"{path}: unknown document type {kind!r}")
        jsonschema.validate(doc, schemas[kind],
                            cls=jsonschema.Draft202012Validator)
    print(f"{path}: {len(docs)} document(s) valid")


if __name__ == "__main__":
    main()
