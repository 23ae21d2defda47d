"""Swedish short forms read by the words around them (issue 15's categories), with cases of our own:
street prefixes, page references, units and operators, halves and quarters in agreement with their unit,
ranges in agreement with what follows, "ung." and "mm", month ranges, Roman numerals after chapter-like
words, road numbers and quarters. Each category also has look-alikes that must stay as they were."""
from __future__ import annotations

import pytest

from service.reading.speech.normalize import normalize, normalize_mapped


@pytest.mark.parametrize("written,spoken", [
    # street prefixes with a colon, before a name
    ("Vi bor på S:t Eriksgatan 5.", "Vi bor på Sankt Eriksgatan fem."),
    ("Entrén ligger på Ö:a Hamngatan.", "Entrén ligger på Östra Hamngatan."),
    ("N:a Kungsgatan är avstängd.", "Norra Kungsgatan är avstängd."),
    ("Kör via V:a vägen.", "Kör via Västra vägen."),
    ("Butiken på L:a Nygatan", "Butiken på Lilla Nygatan"),
    ("S:ta Clara kyrka", "Sankta Clara kyrka"),
    # page references
    ("Läs mer på s. 12.", "Läs mer på sidan tolv."),
    ("Se s. 14–16 i rapporten.", "Se sidorna fjorton till sexton i rapporten."),
    ("Tabellen (ss. 4-5) visar", "Tabellen (sidorna fyra till fem) visar"),
    ("S. 3 handlar om avgifter.", "Sidan tre handlar om avgifter."),
    # units and operators
    ("Uttaget ger 230 V.", "Uttaget ger tvåhundratrettio volt."),
    ("Rummet är 3 x 2 m.", "Rummet är tre gånger två meter."),
    ("Ta med ~5 kr.", "Ta med cirka fem kronor."),
    ("Det tar ~10 min.", "Det tar cirka tio minuter."),
    # halves and quarters agree with their unit
    ("Blanda ½ kg mjöl", "Blanda ett halvt kilo mjöl"),
    ("Häll i ½ liter vatten", "Häll i en halv liter vatten"),
    ("Vila 3/4 timme.", "Vila tre kvarts timme."),
    ("Tillsätt ¼ tsk salt.", "Tillsätt en kvarts tesked salt."),
    ("Det tar 2 1/2 år.", "Det tar två och ett halvt år."),
    ("Koka i 1 ½ timme.", "Koka i en och en halv timme."),
    # ranges agree with the unit or noun after them
    ("Tillsätt 1–2 dl grädde.", "Tillsätt en till två deciliter grädde."),
    ("Det tar 1-2 timmar.", "Det tar en till två timmar."),
    ("Räkna med 1–3 år.", "Räkna med ett till tre år."),
    # abbreviations read by their context
    ("Vi väntar ung. 30 personer.", "Vi väntar ungefär trettio personer."),
    ("Ung. hälften svarade.", "Ungefär hälften svarade."),
    ("Ta med penna, sudd mm.", "Ta med penna, sudd med mera."),
    ("Böcker, tidningar mm finns.", "Böcker, tidningar med mera finns."),
    ("Öppet jan.–mars.", "Öppet januari till mars."),
    ("Stängt jun-aug.", "Stängt juni till augusti."),
    # Roman numerals after chapter-like words
    ("Läs kapitel IV först.", "Läs kapitel fyra först."),
    ("Del II handlar om skolan.", "Del två handlar om skolan."),
    ("Se bilaga III.", "Se bilaga tre."),
    ("Etapp XII startar i maj.", "Etapp tolv startar i maj."),
    ("Den IV:e upplagan kom 1998.", "Den fjärde upplagan kom nittonhundranittioåtta."),
    ("Pris: XX:e plats", "Pris: tjugonde plats"),
    # "ev." agrees with the noun after it
    ("Har du ev. frågor?", "Har du eventuella frågor?"),
    ("Ev. kostnad betalas av dig.", "Eventuell kostnad betalas av dig."),
    ("Ett ev. fel rättas.", "Ett eventuellt fel rättas."),
    ("Vi kommer ev. att stänga.", "Vi kommer eventuellt att stänga."),
    ("Ange ev. allergi.", "Ange eventuell allergi."),
    # road numbers and quarters
    ("Rv 40 är avstängd.", "Riksväg fyrtio är avstängd."),
    ("Sväng in på Lv 123.", "Sväng in på länsväg hundratjugotre."),
    ("Under Q1 2024 ökade antalet.", "Under första kvartalet tjugohundratjugofyra ökade antalet."),
    ("Rapporten för Q3 kommer.", "Rapporten för tredje kvartalet kommer."),
])
def test_short_forms_are_read_by_their_context(written, spoken):
    assert normalize(written, "sv") == spoken


@pytest.mark.parametrize("written,spoken", [
    ("Regnet var 12 mm.", "Regnet var tolv millimeter."),  # mm after a number is millimetres
    ("Karl XII dog 1718.", "Karl den tolfte dog sjuttonhundraarton."),  # a regent, not a chapter
    ("Klockan är 12.", "Klockan är tolv."),  # no page reference
    ("Han heter Kalle.", "Han heter Kalle."),
    ("skidor m.m.", "skidor med mera."),  # the dotted form keeps its sentence end
])
def test_look_alikes_keep_their_reading(written, spoken):
    assert normalize(written, "sv") == spoken


def test_other_languages_are_left_alone():
    assert normalize("See p. 12 and chapter IV.", "en") == "See p. 12 and chapter IV."


def test_highlighting_spans_still_cover_the_written_words():
    written = "Se s. 14–16 på S:t Eriksgatan."
    n = normalize_mapped(written, "sv")
    assert n.spoken == "Se sidorna fjorton till sexton på Sankt Eriksgatan."
    covered = {written[a:b] for _, _, a, b in n.spans}
    assert "S:t" in covered and "Eriksgatan" in covered
