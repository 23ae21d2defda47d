"""Speech text throughput: normalization + sentence splitting against espeak-ng synthesis.

Run: .venv/bin/python benchmarks/speech_text.py [--rounds N]
On the 14 fixture pages' expected text (what a listener hears), measures in one run:
  - split_sentences + normalize (the plain path) in written characters per second,
  - split_sentences + normalize_mapped (with the spoken->written spans) likewise,
  - the same with a 200-entry pronunciation lexicon applied first, whole words only, and again
    with its text entries covering inflected forms and compounds (`match="compounds"`),
  - espeak-ng synthesis of the normalized sentences (get_engine("espeak")), same unit,
and prints normalization's cost as a share of synthesis time. Target: under 10 %.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.reading.engines import get_engine  # noqa: E402
from service.reading.speech import normalize, normalize_mapped, split_sentences  # noqa: E402
from service.store.lexicon import Lexicon  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages"


def page_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(PAGES.glob("*.expected.txt")):
        lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return lines


def sentences_of(lines: list[str]) -> list[str]:
    return [s for line in lines for s in split_sentences(line)]


def timed(fn, rounds: int) -> float:
    """Median seconds of `rounds` runs of fn()."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    lines = page_lines()
    chars = sum(len(line) for line in lines)
    sentences = sentences_of(lines)
    spoken = [normalize(s) for s in sentences]

    def plain() -> None:
        for line in lines:
            for sentence in split_sentences(line):
                normalize(sentence)

    def mapped() -> None:
        for line in lines:
            for sentence in split_sentences(line):
                normalize_mapped(sentence)

    def build(path: Path, match: str) -> Lexicon:
        lexicon = Lexicon(path)
        for i in range(195):
            lexicon.add(f"ortnamn{i}", f"ort namn {i}", match=match)
        for written, said in [("Nyköping", "n'y:S;Y:p,IN"), ("Eskilstuna", "'Esk,Ilst8na")]:
            lexicon.add(written, said, kind="phonemes")
        for written, said in [("Sörmland", "Södermanland"), ("Kvarnbyn", "Kvarn byn"), ("Ekeby", "Ekeby")]:
            lexicon.add(written, said, match=match)
        return lexicon

    def applying(lexicon: Lexicon):
        def run() -> None:
            for line in lines:
                for sentence in split_sentences(line):
                    normalize_mapped(sentence, lexicon=lexicon)
        return run

    with tempfile.TemporaryDirectory() as tmp:
        words = build(Path(tmp) / "words.sqlite3", "word")
        forms = build(Path(tmp) / "forms.sqlite3", "compounds")
        plain()  # warm up regex caches
        applying(words)()
        applying(forms)()
        t_plain = timed(plain, args.rounds)
        t_mapped = timed(mapped, args.rounds)
        t_lexicon = timed(applying(words), args.rounds)
        t_forms = timed(applying(forms), args.rounds)
        words.close()
        forms.close()

    engine = get_engine("espeak")
    engine.synthesize("Hej.", "sv", 1.0)  # load the voice
    start = time.perf_counter()
    audio_seconds = 0.0
    for text in spoken:
        speech = engine.synthesize(text, "sv", 1.0)
        audio_seconds += len(speech.pcm) / 2 / speech.sample_rate
    t_synth = time.perf_counter() - start

    print(f"text: {len(lines)} lines, {len(sentences)} sentences, {chars} written characters, "
          f"{sum(len(s) for s in spoken)} spoken characters, {audio_seconds:.0f} s of audio")
    rows = [
        ("split + normalize", t_plain),
        ("split + normalize_mapped", t_mapped),
        ("split + lexicon (200 entries) + normalize_mapped", t_lexicon),
        ("same, entries with forms and compounds", t_forms),
        ("espeak-ng synthesis of the spoken text", t_synth),
    ]
    for name, seconds in rows:
        print(f"{name:50} {seconds * 1000:9.1f} ms {chars / seconds:12,.0f} chars/s")
    for name, seconds in rows[:4]:
        print(f"{name:50} costs {100 * seconds / t_synth:5.2f} % of synthesis (target < 10 %)")
    print(f"espeak-ng speed: {audio_seconds / t_synth:.0f}x real time")


if __name__ == "__main__":
    main()
