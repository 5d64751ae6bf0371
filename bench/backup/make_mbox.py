"""Writes an mbox of N varied messages (words drawn from a fixed vocabulary,
a few sizes from 0.8 KB to 20 KB), deterministic for a given seed.

  make_mbox.py N SEED > FILE
"""
import random
import sys


def main():
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    words_rng = random.Random(0)  # one vocabulary for every seed
    vocabulary = ["%s%d" % (words_rng.choice("bcdfghklmnprstvz") +
                            words_rng.choice("aeiou") +
                            words_rng.choice("lmnrst"), i)
                  for i in range(20000)]
    rng = random.Random(seed)
    out = sys.stdout
    for n in range(count):
        words = rng.choice((100, 250, 500, 1000, 2500))
        body_words = [rng.choice(vocabulary) for _ in range(words)]
        lines = [" ".join(body_words[i:i + 12])
                 for i in range(0, len(body_words), 12)]
        out.write("From bench@example.org Mon Dec  7 05:00:00 2026\n")
        out.write("From: Sender %d <s%d@example.org>\n" % (n % 97, n % 97))
        out.write("To: alice@localhost\n")
        out.write("Subject: bench message %d seed %d\n" % (n, seed))
        out.write("Message-ID: <%d.%d@bench>\n" % (seed, n))
        out.write("Date: Mon, 7 Dec 2026 05:00:00 +0000\n\n")
        for line in lines:
            if line.startswith("From "):
                line = ">" + line
            out.write(line + "\n")
        out.write("\n")


if __name__ == "__main__":
    main()
