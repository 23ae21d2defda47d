"""Speech text: sentence splitting and Swedish normalization, checked against what a listener expects.

The fixture lines of pages 01 and 07 are spelled out in full below with the words a Swedish listener
should hear; every sentence of every fixture page must come out without digits or unread symbols.
"""
from __future__ import annotations

import re

import pytest

from service.speech import normalize, split_sentences
from service.speech import numbers as nw
from tests.conftest import expected_lines, page_names

# --- sentence splitting ---------------------------------------------------------------------

SPLIT_CASES = [
    # abbreviations never end a sentence
    ("Ta med t.ex. Matsäck och vatten. Sedan går vi.",
     ["Ta med t.ex. Matsäck och vatten.", "Sedan går vi."]),
    ("Vi ses kl. 18.30 i morgon. Välkommen!", ["Vi ses kl. 18.30 i morgon.", "Välkommen!"]),
    ("Du får ta med bl.a. rullator. Och d.v.s. Allt annat.",
     ["Du får ta med bl.a. rullator.", "Och d.v.s. Allt annat."]),
    ("Det kostar ca. 50 kr. Nästa sak.", ["Det kostar ca. 50 kr.", "Nästa sak."]),
    ("Gäller fr.o.m. 1 januari t.o.m. 31 december. Sedan nytt.",
     ["Gäller fr.o.m. 1 januari t.o.m. 31 december.", "Sedan nytt."]),
    ("Ange nr. 5 och tel. 08-123 456 78. Klart.", ["Ange nr. 5 och tel. 08-123 456 78.", "Klart."]),
    ("Den s.k. Planen gäller p.g.a. Vädret inkl. Moms resp. Avgift.",
     ["Den s.k. Planen gäller p.g.a. Vädret inkl. Moms resp. Avgift."]),
    ("Bor på St. Eriksgatan 5. Ring mig.", ["Bor på St. Eriksgatan 5.", "Ring mig."]),
    ("Ring kl. 8 eller o.s.v. Ja.", ["Ring kl. 8 eller o.s.v.", "Ja."]),
    # sentence-final abbreviations end the sentence before a capital, not before a small letter
    ("Hundar, katter osv. Nästa mening.", ["Hundar, katter osv.", "Nästa mening."]),
    ("Hundar, katter osv. får följa med.", ["Hundar, katter osv. får följa med."]),
    ("Skidor m.m. Allt får plats.", ["Skidor m.m.", "Allt får plats."]),
    ("Skidor m.m., måste anmälas.", ["Skidor m.m., måste anmälas."]),
    ("Böcker, filmer etc. Allt lånas ut.", ["Böcker, filmer etc.", "Allt lånas ut."]),
    # initials, numbers, dates, times, addresses
    ("Kontakta A. Svensson på kontoret. Hon svarar.", ["Kontakta A. Svensson på kontoret.", "Hon svarar."]),
    ("Räntan är 3,5 procent. Förra året 1.5 procent.", ["Räntan är 3,5 procent.", "Förra året 1.5 procent."]),
    ("Mötet var 2015-04-09. Nästa är 9.4.2016. Välkommen.",
     ["Mötet var 2015-04-09.", "Nästa är 9.4.2016.", "Välkommen."]),
    ("Läs mer på www.kommun.se/fardtjanst. Där finns allt.",
     ["Läs mer på www.kommun.se/fardtjanst.", "Där finns allt."]),
    ("Mejla namn.efternamn@kommun.se. Vi svarar.", ["Mejla namn.efternamn@kommun.se.", "Vi svarar."]),
    ("Under 2024 betalade vi mer. 2025 blir bättre.", ["Under 2024 betalade vi mer.", "2025 blir bättre."]),
    ("1. Gör så här. Sedan så.", ["1. Gör så här.", "Sedan så."]),
    # quotes and dashes
    ("- Vi är nöjda, säger hon. - Det var bra. – Tack!",
     ["- Vi är nöjda, säger hon.", "- Det var bra.", "– Tack!"]),
    ("”Varje påse räknas. Av ett år blir det biogas.” Anders sa det.",
     ["”Varje påse räknas.", "Av ett år blir det biogas.”", "Anders sa det."]),
    ("Hon sa: »Kom hit.« Sedan gick hon.", ["Hon sa: »Kom hit.«", "Sedan gick hon."]),
    ("”Kommer du?” frågade hon.", ["”Kommer du?” frågade hon."]),
    ("Vad sa du? frågade hon. Inget!", ["Vad sa du? frågade hon.", "Inget!"]),
    ("Vänta… Nu kommer det. Eller...? Ja!", ["Vänta…", "Nu kommer det.", "Eller...?", "Ja!"]),
    ("Vi åkte till… ja, vart?", ["Vi åkte till… ja, vart?"]),
    # a newline always ends a sentence
    ("Birgitta Lundh Områdesansvarig\n070-649 74 88", ["Birgitta Lundh Områdesansvarig", "070-649 74 88"]),
    ("Storgatan 12\n611 30 Nyköping\n\n", ["Storgatan 12", "611 30 Nyköping"]),
    ("  Mellanslag runt.   Ja.  ", ["Mellanslag runt.", "Ja."]),
    ("", []),
]


@pytest.mark.parametrize("text, expected", SPLIT_CASES)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize("name", page_names())
def test_sentences_are_found_verbatim_in_the_page_text(name: str) -> None:
    """The player searches for each sentence in the page, so each must be a slice of its line."""
    for line in expected_lines(name):
        sentences = split_sentences(line)
        assert sentences, line
        position = 0
        for sentence in sentences:
            found = line.find(sentence, position)
            assert found >= 0, (sentence, line)
            position = found + len(sentence)
        assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", line)


def test_fixture_page_01_sentences() -> None:
    line = expected_lines("01-sormland-jobbar-smartare")[7]
    assert split_sentences(line) == [
        "- Kontakten med näringslivet är dock en stor utmaning.",
        "Inte minst att identifiera vilka de är.",
        "Men även att identifiera vad de kan få ut av den regionala nivån och hur man ska ta tillvara "
        "på deras behov.",
    ]


def test_fixture_page_07_abbreviations_do_not_split() -> None:
    lines = expected_lines("07-fardtjanst-avgifter")
    rules = next(line for line in lines if line.startswith("Du får ta med dig"))
    assert split_sentences(rules) == [
        "Du får ta med dig bl.a. rullator, rullstol, barnvagn och två kassar med varor, d.v.s. det du "
        "normalt behöver under en resa.",
        "Större bagage, t.ex. resväskor, cyklar, skidor m.m., måste du anmäla när du beställer.",
    ]
    pets = next(line for line in lines if line.startswith("Husdjur"))
    assert len(split_sentences(pets)) == 2
    fees = next(line for line in lines if line.startswith("Här hittar du"))
    assert split_sentences(fees)[1] == "Avgifterna gäller fr.o.m. 1 januari 2025 t.o.m. 31 december 2025."


# --- number words ---------------------------------------------------------------------------

@pytest.mark.parametrize("n, words", [
    (0, "noll"), (1, "ett"), (7, "sju"), (11, "elva"), (18, "arton"), (20, "tjugo"), (21, "tjugoett"),
    (47, "fyrtiosju"), (100, "hundra"), (123, "hundratjugotre"), (200, "tvåhundra"),
    (649, "sexhundrafyrtionio"), (999, "niohundranittionio"), (1000, "ettusen"), (1001, "ettusen ett"),
    (1250, "ettusen tvåhundrafemtio"), (2009, "tvåtusen nio"), (21000, "tjugoettusen"),
    (59200, "femtioniotusen tvåhundra"), (101000, "hundraettusen"), (212000, "tvåhundratolvtusen"),
    (1_000_000, "en miljon"), (2_500_000, "två miljoner femhundratusen"), (3_000_000_000, "tre miljarder"),
])
def test_cardinal(n: int, words: str) -> None:
    assert nw.cardinal(n) == words


def test_cardinal_gender() -> None:
    assert nw.cardinal(1, common=True) == "en"
    assert nw.cardinal(1) == "ett"


@pytest.mark.parametrize("n, words", [
    (1, "första"), (2, "andra"), (3, "tredje"), (9, "nionde"), (12, "tolfte"), (20, "tjugonde"),
    (21, "tjugoförsta"), (23, "tjugotredje"), (30, "trettionde"), (31, "trettioförsta"),
    (100, "hundrade"), (101, "hundraförsta"), (1000, "ettusende"),
])
def test_ordinal(n: int, words: str) -> None:
    assert nw.ordinal(n) == words


@pytest.mark.parametrize("n, words", [
    (1844, "artonhundrafyrtiofyra"), (1990, "nittonhundranittio"), (1900, "nittonhundra"),
    (2000, "tvåtusen"), (2009, "tvåtusen nio"), (2015, "tjugohundrafemton"),
    (2025, "tjugohundratjugofem"), (999, "niohundranittionio"),
])
def test_year(n: int, words: str) -> None:
    assert nw.year(n) == words


# --- normalization --------------------------------------------------------------------------

NORMALIZE_CASES = [
    # dates
    ("2015-04-09", "den nionde april tjugohundrafemton"),
    ("Mötet hölls den 2015-04-09.", "Mötet hölls den nionde april tjugohundrafemton."),
    ("Datum: 2025-03-14", "Datum: den fjortonde mars tjugohundratjugofem"),
    ("9.4.2015", "den nionde april tjugohundrafemton"),
    ("9 april 2015", "den nionde april tjugohundrafemton"),
    ("Boka senast den 10 mars.", "Boka senast den tionde mars."),
    ("den 5 maj", "den femte maj"),
    ("fredag 14 mars 2025", "fredag den fjortonde mars tjugohundratjugofem"),
    ("5 jan. 2015", "den femte januari tjugohundrafemton"),
    ("den 5/6", "den femte juni"),
    ("Mellan 5–6 maj", "Mellan den femte till sjätte maj"),
    ("1 januari–31 december 2025",
     "den första januari till den trettioförsta december tjugohundratjugofem"),
    ("år 2009", "år tvåtusen nio"),
    ("stängde 1990", "stängde nittonhundranittio"),
    ("översvämningen 1844", "översvämningen artonhundrafyrtiofyra"),
    ("läsåret 2025/2026", "läsåret tjugohundratjugofem till tjugohundratjugosex"),
    # clock times and ranges
    ("kl. 18.30", "klockan arton och trettio"),
    ("kl 18:30", "klockan arton och trettio"),
    ("kl. 8", "klockan åtta"),
    ("Kl. 06.00", "Klockan sex"),
    ("kl. 09.05", "klockan nio noll fem"),
    ("kl. 18.30 – 20.00", "klockan arton och trettio till tjugo"),
    ("08.00–16.30", "åtta till sexton och trettio"),
    ("mellan kl. 8 och 17", "mellan klockan åtta och sjutton"),
    ("vardagar kl. 9–12", "vardagar klockan nio till tolv"),
    ("8–17", "åtta till sjutton"),
    ("17–18 grader", "sjutton till arton grader"),
    ("mån–fre 8–17", "måndag till fredag åtta till sjutton"),
    ("mån.–fre. kl. 8–17", "måndag till fredag klockan åtta till sjutton"),
    ("måndag–torsdag", "måndag till torsdag"),
    ("Maj–september", "Maj till september"),
    # phone numbers, read in groups
    ("070-649 74 88", "noll sjuttio, sexhundrafyrtionio, sjuttiofyra, åttioåtta"),
    ("08-123 456 78", "noll åtta, hundratjugotre, fyrahundrafemtiosex, sjuttioåtta"),
    ("0155-12 34 56", "noll ett fem fem, tolv, trettiofyra, femtiosex"),
    ("Telefon: 0171-526 00", "Telefon: noll ett sju ett, femhundratjugosex, noll noll"),
    ("+46 8 123 456 78", "plus fyrtiosex, åtta, hundratjugotre, fyrahundrafemtiosex, sjuttioåtta"),
    ("+46 (0)70-649 74 88", "plus fyrtiosex, sjuttio, sexhundrafyrtionio, sjuttiofyra, åttioåtta"),
    ("0701234567", "noll sjuttio, hundratjugotre, fyrtiofem, sextiosju"),
    ("Vid akut fara, ring 112.", "Vid akut fara, ring ett ett två."),
    ("Ring 1177 för råd.", "Ring elva sjuttiosju för råd."),
    # numbers, decimals, percent, money
    ("1 250", "ettusen tvåhundrafemtio"),
    ("1\u00a0250", "ettusen tvåhundrafemtio"),
    ("1.250 personer", "ettusen tvåhundrafemtio personer"),
    ("drygt 212 000 resor", "drygt tvåhundratolvtusen resor"),
    ("1 000 000", "en miljon"),
    ("3,5", "tre komma fem"),
    ("0,05", "noll komma noll fem"),
    ("3,5 %", "tre komma fem procent"),
    ("ca 50 %", "cirka femtio procent"),
    ("1 %", "en procent"),
    ("250 kr", "tvåhundrafemtio kronor"),
    ("1 kr", "en krona"),
    ("0 kr", "noll kronor"),
    ("1 250,50 kr", "ettusen tvåhundrafemtio kronor och femtio öre"),
    ("1\u00a0250,50\u00a0kr", "ettusen tvåhundrafemtio kronor och femtio öre"),
    ("0,50 kr", "femtio öre"),
    ("250:-", "tvåhundrafemtio kronor"),
    ("60 kr/mån", "sextio kronor per månad"),
    ("ca 1,2 miljoner kronor", "cirka ett komma två miljoner kronor"),
    ("4,2 miljoner kronor", "fyra komma två miljoner kronor"),
    ("Det kostar 100 kr.", "Det kostar hundra kronor."),
    # gender
    ("1 år", "ett år"),
    ("1 timme", "en timme"),
    ("barn 1", "barn ett"),
    # ordinals, decades, compounds
    ("1:a plats", "första plats"),
    ("2:a året", "andra året"),
    ("Var 3:e resa", "Var tredje resa"),
    ("21:a", "tjugoförsta"),
    ("1990-talet", "nittonhundranittiotalet"),
    ("1800-talet", "artonhundratalet"),
    ("90-talet", "nittiotalet"),
    ("10-resorskort", "tioresorskort"),
    ("3-årig", "treårig"),
    # units
    ("0–10 km", "noll till tio kilometer"),
    ("10,1–30 km", "tio komma ett till trettio kilometer"),
    ("400 kWh", "fyrahundra kilowattimmar"),
    ("3 000 m²", "tretusen kvadratmeter"),
    ("5 °C", "fem grader"),
    ("5 st.", "fem stycken."),
    ("-5 grader", "minus fem grader"),
    ("1/2 liter", "en halv liter"),
    # addresses
    ("Storgatan 12, 611 30 Nyköping", "Storgatan tolv, sexhundraelva trettio Nyköping"),
    ("745 30 Stensjö", "sjuhundrafyrtiofem trettio Stensjö"),
    ("namn@kommun.se", "namn snabel-a kommun punkt se"),
    ("anna.berg@kommun.se", "anna punkt berg snabel-a kommun punkt se"),
    ("Mer information på www.kommun.se/fardtjanst.",
     "Mer information på ve ve ve punkt kommun punkt se snedstreck fardtjanst."),
    ("https://www.kommun.se/a/b?x=1", "ve ve ve punkt kommun punkt se snedstreck a snedstreck b"),
    ("hur samordningvastmark.se uppfyller", "hur samordningvastmark punkt se uppfyller"),
    # abbreviations
    ("t.ex. jul", "till exempel jul"),
    ("T.ex. så här", "Till exempel så här"),
    ("bl.a. rullator", "bland annat rullator"),
    ("d.v.s. det", "det vill säga det"),
    ("d v s vad", "det vill säga vad"),
    ("dvs vad", "det vill säga vad"),
    ("skidor m.m., måste", "skidor med mera, måste"),
    ("fåglar osv. får", "fåglar och så vidare får"),
    ("fåglar o.s.v. får", "fåglar och så vidare får"),
    ("katter osv. Nästa", "katter och så vidare. Nästa"),
    ("ca 50", "cirka femtio"),
    ("ca. 50", "cirka femtio"),
    ("fr.o.m. i dag t.o.m. i morgon", "från och med i dag till och med i morgon"),
    ("(nr på kortet)", "(nummer på kortet)"),
    ("nr 5", "nummer fem"),
    ("tel. 0155-12 34 56", "telefon noll ett fem fem, tolv, trettiofyra, femtiosex"),
    ("inkl. moms", "inklusive moms"),
    ("p.g.a. vädret", "på grund av vädret"),
    ("en s.k. plan", "en så kallad plan"),
    ("10 resp. 20 kr", "tio respektive tjugo kronor"),
    ("St. Eriksgatan", "Sankt Eriksgatan"),
    ("OBS", "Observera"),
    # symbols and punctuation
    ("§ 5", "paragraf fem"),
    ("5 §", "paragraf fem"),
    ("Svensson & Son", "Svensson och Son"),
    ("WCAG 2.1", "WCAG två punkt ett"),
    ("kriterium 1.3.1", "kriterium ett punkt tre punkt ett"),
    ("- Vi är nöjda, säger hon.", "Vi är nöjda, säger hon."),
    ("– Vi är nöjda.", "Vi är nöjda."),
    ("en rapport som heter ”Sörmland jobbar smartare”.", "en rapport som heter Sörmland jobbar smartare."),
    ("Häll aldrig fett i avloppet – det stelnar.", "Häll aldrig fett i avloppet, det stelnar."),
    ("»Hej«, sa hon.", "Hej, sa hon."),
    ("Det är ju Anna's bok.", "Det är ju Anna's bok."),
    ("soft\u00adhyphen  och\u00a0nbsp", "softhyphen och nbsp"),
]


@pytest.mark.parametrize("text, spoken", NORMALIZE_CASES)
def test_normalize(text: str, spoken: str) -> None:
    assert normalize(text) == spoken


@pytest.mark.parametrize("text, spoken", NORMALIZE_CASES)
def test_normalize_is_idempotent(text: str, spoken: str) -> None:
    assert normalize(spoken) == spoken


def test_other_languages_only_get_whitespace_cleanup() -> None:
    text = "The school choice is open from 15 January to 15\u00a0February 2025, e.g.  at 8.30."
    assert normalize(text, lang="en") == (
        "The school choice is open from 15 January to 15 February 2025, e.g. at 8.30."
    )
    assert normalize("kl. 8", lang="sv-SE") == "klockan åtta"


# Every line of pages 01 and 07 that holds something to spell out, with what should be heard.
FIXTURE_LINES = [
    ("01-sormland-jobbar-smartare", 12, "noll sjuttio, sexhundrafyrtionio, sjuttiofyra, åttioåtta"),
    ("01-sormland-jobbar-smartare", 5,
     "Ett sätt att jobba smartare är även att lära av andra regioners erfarenheter av deras regionala "
     "tillväxtarbete, det vill säga vad Sörmland kan lära av andra. Av rapporten framgår bland annat att "
     "Hallands arbete kännetecknas av fokuseringen på näringslivet och att Värmland har haft ett mycket "
     "omfattande förankringsarbete."),
    ("01-sormland-jobbar-smartare", 4,
     "En ytterligare framgång har varit att regionala aktörer uppnått ett regionalt tänk inom Sörmland."),
    ("07-fardtjanst-avgifter", 1,
     "Här hittar du allt om vad en färdtjänstresa kostar, hur du beställer och vart du vänder dig om något "
     "blir fel. Avgifterna gäller från och med den första januari tjugohundratjugofem till och med den "
     "trettioförsta december tjugohundratjugofem."),
    ("07-fardtjanst-avgifter", 3,
     "Priset beror på hur långt du åker. Egenavgiften motsvarar priset för en vuxenbiljett i "
     "kollektivtrafiken plus ett tillägg på cirka femtio procent. En ledsagare åker utan kostnad, medan "
     "en medresenär betalar samma avgift som du."),
    ("07-fardtjanst-avgifter", 4, "Egenavgifter tjugohundratjugofem"),
    ("07-fardtjanst-avgifter", 5, "Resans längd, Pris per enkelresa, Pris för tioresorskort"),
    ("07-fardtjanst-avgifter", 6, "noll till tio kilometer, sextio kronor, femhundrafyrtio kronor"),
    ("07-fardtjanst-avgifter", 7,
     "tio komma ett till trettio kilometer, nittiofem kronor, åttahundrafemtiofem kronor"),
    ("07-fardtjanst-avgifter", 8,
     "trettio komma ett till sextio kilometer, hundrafemtio kronor, ettusen trehundrafemtio kronor"),
    ("07-fardtjanst-avgifter", 9,
     "Över sextio kilometer, tvåhundrafemtio kronor, tvåtusen tvåhundrafemtio kronor"),
    ("07-fardtjanst-avgifter", 10,
     "Barn och ungdomar under tjugo år betalar halva priset. En enkelresa kostar aldrig mer än "
     "tvåhundrafemtio kronor, oavsett hur lång den är. Under tjugohundratjugofyra betalade en "
     "genomsnittlig resenär ettusen tvåhundrafemtio kronor och femtio öre i egenavgifter för hela året, "
     "vilket är tre komma fem procent mer än året innan."),
    ("07-fardtjanst-avgifter", 12,
     "Beställ din resa senast en timme innan du vill åka. Resor till och från lasarettet i Nyköping kan "
     "du beställa upp till fjorton dagar i förväg. Ha ditt tillståndsnummer (nummer på "
     "färdtjänstkortet) till hands när du ringer."),
    ("07-fardtjanst-avgifter", 13,
     "Beställningscentralen: telefon noll ett fem fem, tolv, trettiofyra, femtiosex, klockan sex till "
     "tjugotre alla dagar"),
    ("07-fardtjanst-avgifter", 14,
     "Sms till noll sjuttio, hundratjugotre, fyrtiofem, sextiosju om du har en hörsel- eller "
     "talnedsättning"),
    ("07-fardtjanst-avgifter", 15,
     "E-post till bestallning snabel-a kustlandet punkt se för resor som bokas minst tjugofyra timmar i "
     "förväg"),
    ("07-fardtjanst-avgifter", 16,
     "Bilen kan komma upp till femton minuter före eller efter den tid du har beställt. Om bilen är mer "
     "än tjugo minuter sen har du rätt att få resan gratis. Var tredje resa under tjugohundratjugofyra "
     "samåktes med en annan resenär, vilket minskade förbundets kostnader med cirka ett komma två "
     "miljoner kronor."),
    ("07-fardtjanst-avgifter", 18,
     "Du får ta med dig bland annat rullator, rullstol, barnvagn och två kassar med varor, det vill säga "
     "det du normalt behöver under en resa. Större bagage, till exempel resväskor, cyklar, skidor med "
     "mera, måste du anmäla när du beställer."),
    ("07-fardtjanst-avgifter", 19,
     "Husdjur som katter, hundar, kaniner, fåglar och så vidare får följa med om du anmäler det i förväg "
     "och djuret sitter i bur eller är kopplat. Ledarhundar och servicehundar får alltid följa med."),
    ("07-fardtjanst-avgifter", 21,
     "Har något blivit fel under resan? Lämna dina synpunkter så snart som möjligt, helst inom fjorton "
     "dagar. Du kan ringa kundtjänst på noll åtta, hundratjugotre, fyrahundrafemtiosex, sjuttioåtta "
     "eller skicka e-post till synpunkter snabel-a kustlandet punkt se. Ange datum, klockslag och ditt "
     "tillståndsnummer."),
    ("07-fardtjanst-avgifter", 23,
     "Färdtjänsten infördes i länet i början av nittonhundrasjuttiotalet, och sedan "
     "nittonhundranittiotalet sköts den av kommunalförbundet på uppdrag av medlemskommunerna. I fjol "
     "gjordes drygt tvåhundratolvtusen resor."),
    ("07-fardtjanst-avgifter", 24,
     "Vi har för andra året i rad fått högst betyg i länets kundundersökning, och i den nationella "
     "jämförelsen hamnade vi på första plats bland mellanstora län."),
    ("07-fardtjanst-avgifter", 27, "Storgatan tolv, sexhundraelva trettio Nyköping"),
    ("07-fardtjanst-avgifter", 28,
     "Telefontid: måndag till torsdag klockan nio till elva och trettio och tretton till femton, fredag "
     "klockan nio till elva och trettio"),
    ("07-fardtjanst-avgifter", 29,
     "Under perioden den tjugotredje december till och med den sjätte januari har kundtjänsten "
     "begränsade öppettider. Inför storhelger, till exempel jul och nyår, bör du beställa din resa i god "
     "tid."),
    ("07-fardtjanst-avgifter", 30,
     "Mer information hittar du på ve ve ve punkt kustlandet punkt se snedstreck fardtjanst."),
]


@pytest.mark.parametrize("name, index, spoken", FIXTURE_LINES)
def test_fixture_lines_are_spoken_as_a_listener_expects(name: str, index: int, spoken: str) -> None:
    line = expected_lines(name)[index]
    assert normalize(line) == spoken
    # Sentence by sentence (as the pipeline does it) gives the same words.
    assert " ".join(normalize(s) for s in split_sentences(line)) == spoken


_LEFTOVERS = re.compile(r"\d|[%§@&/+=*#|<>”\"»«]|\bkr\b|\b(?:kl|ca|nr|tel|st|dvs|osv)\b|[a-zåäö]\.[a-zåäö]")


@pytest.mark.parametrize("name", ["01-sormland-jobbar-smartare", "07-fardtjanst-avgifter"])
def test_fixture_sentences_leave_nothing_unspoken(name: str) -> None:
    for line in expected_lines(name):
        for sentence in split_sentences(line):
            spoken = normalize(sentence)
            assert not _LEFTOVERS.search(spoken), (sentence, spoken)
            assert "kr " not in spoken + " "
            assert normalize(spoken) == spoken, sentence


@pytest.mark.parametrize("name", page_names())
def test_every_fixture_page_normalizes_without_digits(name: str) -> None:
    for line in expected_lines(name):
        for sentence in split_sentences(line):
            spoken = normalize(sentence)
            assert spoken.strip(), sentence
            assert not re.search(r"[\d%§@]", spoken), (sentence, spoken)
            assert normalize(spoken) == spoken, sentence
