#!/usr/bin/env python3
"""A large, valid, hash-chained incident journal for the limits tests,
written in a second or two (cmdr note fsyncs every line: far too slow).

    python3 tests/gen_journal.py OUT MEGABYTES [--long BYTES] [--torn BYTES]

Lines are shaped as cmdr writes them ({"seq":N,"prev":HASH,...}, compact):
a declaration, a commander, then notes, updates, ticks and rollbacks from
several people, each about 300 bytes. --long adds, after the bulk, one
complete entry whose note is BYTES long (then one ordinary entry after it);
--torn ends the file with BYTES of a line that has no newline. Prints the
head hash (of the last whole line) and the number of entries."""

import hashlib
import sys

GENESIS = "0" * 64


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    out, mb = args[0], float(args[1])
    long_bytes = torn_bytes = 0
    rest = args[2:]
    while rest:
        if rest[0] == "--long":
            long_bytes = int(rest[1])
        elif rest[0] == "--torn":
            torn_bytes = int(rest[1])
        else:
            sys.exit("gen_journal: unknown option " + rest[0])
        rest = rest[2:]
    people = ["priya", "sam", "alex", "jo", "mei", "omar"]
    prev = GENESIS
    seq = 0
    total = 0
    limit = int(mb * 1048576)
    sha = hashlib.sha256
    with open(out, "wb") as f:
        buf = []

        def put(body):
            nonlocal prev, seq, total
            seq += 1
            line = ('{"seq":%d,"prev":"%s",' % (seq, prev) + body).encode()
            prev = sha(line).hexdigest()
            buf.append(line + b"\n")
            total += len(line) + 1
            if len(buf) >= 4096:
                f.write(b"".join(buf))
                buf.clear()

        def head(i, who, action, target):
            s, ms = divmod(i, 1000)
            m, s = divmod(s, 60)
            h, m = divmod(m, 60)
            return ('"time":"2024-09-13T%02d:%02d:%02d.%03dZ","wall":"2024-09-13T%02d:%02d:%02d.%03dZ",'
                    '"actor":{"user":"%s","ssh":"10.1.2.3:50122","tty":"/dev/pts/3"},"role":"commander",'
                    '"action":"%s","target":"%s",' % (h % 24, m, s, ms, h % 24, m, s, ms, who, action, target))

        put(head(0, "priya", "declare", "incident") +
            '"params":{"title":"limits: a journal of %g MB","severity":"SEV2"},"outcome":"declared"}' % mb)
        put(head(10, "priya", "role", "role:commander") +
            '"params":{"role":"commander","person":"priya"},"outcome":"assigned"}')
        i = 2
        while total < limit:
            who = people[i % len(people)]
            at = i * 50
            k = i % 10
            if k == 7:
                put(head(at, who, "update", "incident") +
                    '"params":{"text":"update %d: error rate back under 1%%, watching the canary"},"outcome":"posted"}' % i)
            elif k == 9:
                put(head(at, who, "tick", "runbook:canary-regression") +
                    '"params":{"step":"confirm-the-failing-class-and-metric/read-the-verdict"},"outcome":"ticked"}')
            else:
                put(head(at, who, "note", "timeline") +
                    '"params":{"text":"note %d from %s: checked the dashboards, the p95 latency is flat, nothing new in the logs"},"outcome":"noted"}' % (i, who))
            i += 1
        if long_bytes:
            put(head(i * 50, "mallory", "note", "timeline") + '"params":{"text":"' + "x" * long_bytes +
                '"},"outcome":"noted"}')
            i += 1
            put(head(i * 50, "priya", "note", "timeline") +
                '"params":{"text":"after the long line"},"outcome":"noted"}')
        f.write(b"".join(buf))
        if torn_bytes:
            chunk = b"y" * 1048576
            left = torn_bytes - len(b'{"seq":%d,"prev":"%s","junk":"' % (seq + 1, prev.encode()))
            f.write(b'{"seq":%d,"prev":"%s","junk":"' % (seq + 1, prev.encode()))
            while left > 0:
                f.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)
    print(prev, seq)


main()
