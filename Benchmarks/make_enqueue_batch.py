#!/usr/bin/env python3
"""Writes a JSON Lines batch for the enqueue benchmark.

N messages of ~5 KB text each; every message attaches one shared 100 KB PDF, and one
in ten also attaches its own 20 KB file. Usage: make_enqueue_batch.py DIR N [BODY_BYTES]
"""
import json
import os
import random
import sys

directory, count = sys.argv[1], int(sys.argv[2])
body_bytes = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
os.makedirs(os.path.join(directory, "own"), exist_ok=True)
rng = random.Random(42)

shared = os.path.join(directory, "terms.pdf")
with open(shared, "wb") as f:
    f.write(b"%PDF-1.4\n" + rng.randbytes(100 * 1024))

words = "arve summa tasuda kuupäev klient teenus makse viitenumber pank konto".split()
with open(os.path.join(directory, "batch.jsonl"), "w", encoding="utf-8") as out:
    out.write(json.dumps({"batch": {"owner": "bench", "subject": "Arve", "attachments": [{"path": shared}]}}) + "\n")
    for i in range(count):
        text_words = []
        size = 0
        while size < body_bytes:
            w = rng.choice(words)
            text_words.append(w)
            size += len(w) + 1
        message = {
            "key": f"inv-{i}",
            "to": [{"address": f"customer{i}@example.com", "name": f"Klient {i}"}],
            "subject": f"Arve nr {i}",
            "text": " ".join(text_words),
        }
        if i % 10 == 0:
            path = os.path.join(directory, "own", f"invoice-{i}.pdf")
            with open(path, "wb") as f:
                f.write(rng.randbytes(20 * 1024))
            message["attachments"] = [{"path": path}]
        out.write(json.dumps(message, ensure_ascii=False) + "\n")
