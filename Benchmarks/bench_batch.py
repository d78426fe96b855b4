"""The benchmarks' JSON Lines batches: `count` plain ~5 KB messages of owner `bench`."""
import json, os

BODY = ("Tere! Arve on lisatud. Lugupidamisega, Raamatupidamine.\n" * 90)[:5000 - 300]


def write_batch(workdir, count, keyed, body=BODY):
    """workdir/batch-COUNT[-keyed].jsonl (written once): message i to c{i}@example.net, keyed invoice-{i:08d}."""
    path = os.path.join(workdir, f"batch-{count}{'-keyed' if keyed else ''}.jsonl")
    if not os.path.exists(path):
        with open(path, "w") as f:
            for i in range(count):
                row = {"owner": "bench", "subject": f"Invoice {i}", "text": body, "to": [f"c{i}@example.net"]}
                if keyed:
                    row["key"] = f"invoice-{i:08d}"
                f.write(json.dumps(row) + "\n")
    return path
