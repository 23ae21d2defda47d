"""PDF extraction on documents the extractor was not tuned on, as folds (issue 16's held-out check).

Run: .venv/bin/python benchmarks/pdf_heldout.py
- Fold "seeds": tests/pdf_builder.py's documents with seeds 1000-1019 (the tests and tuning used
  seeds below 20): other words, line breaks, table and footnote positions.
- Fold "platypus": PDFs written by reportlab's platypus (justified paragraphs flowing through one
  or two frames, bullet lists, a running footer), a generator the extractor was never tuned on.
Prints the scorer's word 4-gram F1 (tests.pdf_builder.f1) per kind of document.
"""
from __future__ import annotations

import io
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate,
    Frame,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
)

from service.reading.documents import extract_pdf  # noqa: E402
from tests import pdf_builder as pb  # noqa: E402


def score(data: bytes, text: str) -> float:
    doc = extract_pdf(data, "https://x.se/d.pdf")
    return pb.f1(text, "\n".join(b.text for b in doc.blocks))


def platypus(seed: int, columns: int) -> tuple[bytes, str]:
    rng = random.Random(seed)
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    body.alignment = 4  # justified
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, title="Kommunens plan")
    w, h = A4
    m, gap = 2 * cm, 0.6 * cm
    fw = (w - 2 * m - (columns - 1) * gap) / columns
    frames = [Frame(m + i * (fw + gap), m, fw, h - 2 * m, id=f"c{i}") for i in range(columns)]

    def footer(canvas, d) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(m, 1 * cm, f"Exempel kommun  {d.page}")

    doc.addPageTemplates([PageTemplate(id="p", frames=frames, onPage=footer)])
    story, expected = [], []
    for sec in range(6):
        title = " ".join(rng.choice(pb.WORDS) for _ in range(3)).capitalize()
        story.append(Paragraph(title, styles["Heading2"]))
        expected.append(title)
        for _ in range(rng.randint(2, 4)):
            t = pb.clean(pb.sentences(rng, rng.randint(3, 6)))
            story.append(Paragraph(t, body))
            expected.append(t)
        if sec % 2 == 1:
            items = [pb.clean(pb.sentences(rng, 1)) for _ in range(3)]
            story.append(ListFlowable([ListItem(Paragraph(i, body)) for i in items], bulletType="bullet"))
            expected.extend(items)
    doc.build(story)
    return buf.getvalue(), "\n".join(expected)


def main() -> None:
    seeds = range(1000, 1020)
    kinds = {
        "tagged": lambda s: pb.tagged_report(pages=4, seed=s),
        "untagged 1 column": lambda s: pb.untagged_pdf(pages=4, seed=s, columns=1),
        "untagged 2 columns": lambda s: pb.untagged_pdf(pages=4, seed=s, columns=2),
        "untagged 3 columns": lambda s: pb.untagged_pdf(pages=4, seed=s, columns=3),
    }
    print(f"{'fold / document':34s} {'mean F1':>8s} {'min':>6s} {'>= 0.97':>8s}")
    for name, make in kinds.items():
        xs = [score(b.data, b.text) for b in map(make, seeds)]
        print(f"{'seeds 1000-1019, ' + name:34s} {statistics.mean(xs):8.3f} {min(xs):6.3f} "
              f"{sum(x >= 0.97 for x in xs):5d}/{len(xs)}")
    for columns in (1, 2):
        xs = [score(*platypus(seed, columns)) for seed in range(200, 210)]
        print(f"{f'platypus, {columns} column(s)':34s} {statistics.mean(xs):8.3f} {min(xs):6.3f} "
              f"{sum(x >= 0.97 for x in xs):5d}/{len(xs)}")


if __name__ == "__main__":
    main()
