"""The report part of the municipality's document (Næstved Kommune, "Tema 1: Vision og
Bosætning", August 2018), text by text in the source's order."""

HEADER_BLOCK = ["Sagsnr.", "00.01.00-A00-55-18", "Sagsbehandler", "Lotte Riberholt Fredberg",
                "Dato", "August 2018", "Revideret"]
TITLE = ["Tema 1: Vision og Bosætning.", "Opfølgning på Strategiplan 2018"]
INTRO = [
    "Mål fra strategiplan 2018 er indarbejdet i de relevante resultataftaler for centrene i "
    "Næstved Kommune.",
    "Der er sket en opfølgning på resultataftalerne for centrene. Opfølgningen på Strategiplanen "
    "er generet ud fra denne opfølgning.",
    "Opfølgning er foretaget på baggrund af centrenes resultataftaler.",
]
LEGEND = [
    "Status: Der anvendes følgende smiley-skala ved opfølgningen:",
    "Opfølgning august 2018",
    "Resultatet forventes nået.", "Tidsplanen forventes holdt.",
    "Resultatet forventes i overvejende grad nået. (80%).",
    "Tidsplanen forventes i overvejende grad overholdt. (Forsinkelsen er mindre end 2 måneder)",
    "Resultatet forventes ikke nået", "Tidsplanen forventes ikke holdt.",
    "Kommentarer: Hvis der anvendes røde eller gule smileyer, skal der kortfattet kommenteres på "
    "målopfyldelsen: Hvorfor er resultatet/tidsplanen ikke overholdt, hvad er konsekvenserne "
    "heraf og hvordan bringer vi os i mål",
]
COLUMNS = ["Måles hvordan/opnås gennem", "Resultater", "Tidsplan", "Center/Centerchef"]
# The source labels the columns under each focus area's row; the report labels them once,
# under the theme's row, in the header rows that repeat on every page the table runs onto.
THEME = [
    "Tema 1: Mærk Næstved", *COLUMNS,
    "Indsatsområde: Vision", "Status",
    "Resultatmål:", "Effektmål:",
    "Realisere målsætninger i eksisterende vision for 2014 – 2017",
    "Sikre vækst og udvikling i Næstved Kommune gennem fornyelse og forankring af vision i nyt "
    "byråd",
    "Udarbejdelse af fornyet vision", "CPU/BGE",
    'Styrkelse af " Mærk Næstved som brand herunder: Politiske drøftelse af, hvad "Mærk Næstved" '
    "skal indeholde og signalere", "CPU/BGE",
    "Forankring af kendskab til og arbejde med vision 2018 – 2021 hos medarbejdere i Næstved "
    "Kommune", "CPU/BGE",
    "Forberedelse af DM i skills, fase 2 – herunder plan for opfølgende aktiviteter", "CPU/BGE",
    "Indsatsområde: Bosætning", "Status",
    "Resultatmål:", "Effektmål:",
    "Befolkningstilvækst på 250 personer som netto bidrager økonomisk til kommunen",
    "Ny bosætningsstrategi for 2018 - 2021",
    "Ny bosætningsstrategi har afventet arbejdet med den nye Vision. Arbejdet påbegyndes i "
    "efteråret 2018", "CPU/BGE",
    "Samlet helhedstænkning omkring landdistrikter og centerstruktur, herunder dialog med de "
    "udpegede udviklingscentre", "CPU/BGE",
    "Iværksættelse af initiativer med henblik på at øge egne og potentielle nye borgeres "
    "oplevelse af service ved henvendelse til Næstved Kommune.", "CPU/BGE",
]
ALL = HEADER_BLOCK + TITLE + INTRO + LEGEND + THEME
