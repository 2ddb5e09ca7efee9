"""Small catalogue files written as the agencies write them: a ComCat export of the FDSN event
service, the ComCat extract of the ETAS studies, and an NCEI significant-earthquakes TSV
(quoted header, the search's parameters on the first line, CRLF line ends). The ComCat ids
are made up (``ustest...``); the Baku 2000 and Zaqatala 2012 quakes are as the catalogues
give them."""

from __future__ import annotations

from pathlib import Path

SERVICE_HEADER = (
    "time,latitude,longitude,depth,mag,magType,nst,gap,dmin,rms,net,id,updated,place,type,"
    "horizontalError,depthError,magError,magNst,status,locationSource,magSource"
)


def service_row(
    at: str,
    lat: str,
    lon: str,
    mag: str,
    event: str,
    place: str,
    *,
    depth: str = "10",
    kind: str = "earthquake",
    status: str = "reviewed",
) -> str:
    return (
        f'{at},{lat},{lon},{depth},{mag},mww,,,,1.0,us,{event},2024-01-01T00:00:00.000Z,"{place}",'
        f"{kind},,,,,{status},us,us"
    )


# Line 2: Baku 2000 (also in the NCEI sample); 3: an aftershock three minutes later (a quake
# of its own); 4: Zaqatala 2012; 5: automatic; 6: Tehran (far: M4.6 is felt about 95 km);
# 7: a quarry blast; 8: a latitude that is no number; 9: no id.
SERVICE = [
    SERVICE_HEADER,
    service_row(
        "2000-11-25T18:09:11.400Z", "40.245", "49.946", "6.8", "ustest0001",
        "Caspian Sea, offshore Azerbaijan", depth="50",
    ),
    service_row(
        "2000-11-25T18:12:30.000Z", "40.250", "49.950", "4.9", "ustest0002",
        "Caspian Sea, offshore Azerbaijan",
    ),
    service_row(
        "2012-05-07T05:38:03.610Z", "41.468", "46.752", "4.6", "ustest0003",
        "9 km N of Zaqatala, Azerbaijan",
    ),
    service_row(
        "2024-02-10T11:00:00.000Z", "40.10", "48.60", "4.2", "ustest0004", "Kurdamir, Azerbaijan",
        status="automatic",
    ),
    service_row("2024-01-01T00:00:00.000Z", "35.70", "51.40", "4.6", "ustest0005", "Tehran, Iran"),
    service_row(
        "2023-03-01T10:00:00.000Z", "40.40", "49.90", "2.1", "ustest0006", "Baku quarry",
        kind="quarry blast",
    ),
    service_row("2023-03-02T10:00:00.000Z", "north", "49.90", "4.0", "ustest0007", "Baku"),
    service_row("2023-03-03T10:00:00.000Z", "40.40", "49.90", "4.0", "", "Baku"),
]  # fmt: skip

# Line 2: an aftershock of Baku 2000; 3: a time of day that is none; 4: Tehran (far).
EXTRACT = [
    "date,time,long,lat,mag",
    "2000-11-26,06:36:36.28,50.188,40.048,4.7",
    "2000-11-26,25:00:00.00,50.100,40.000,4.5",
    "1990-06-20,21:00:13.00,51.40,35.70,4.6",
]

NCEI_COLUMNS = [
    "Search Parameters", "Year", "Mo", "Dy", "Hr", "Mn", "Sec", "Tsu", "Vol", "Location Name",
    "Latitude", "Longitude", "Focal Depth (km)", "Mag", "MMI Int", "Deaths", "Death Description",
    "Missing", "Missing Description", "Injuries", "Injuries Description", "Damage ($Mil)",
    "Damage Description", "Houses Destroyed", "Houses Destroyed Description", "Houses Damaged",
    "Houses Damaged Description", "Total Deaths", "Total Death Description", "Total Missing",
    "Total Missing Description", "Total Injuries", "Total Injuries Description",
    "Total Damage ($Mil)", "Total Damage Description", "Total Houses Destroyed",
    "Total Houses Destroyed Description", "Total Houses Damaged",
    "Total Houses Damaged Description",
]  # fmt: skip
PARAMETERS = '"[""0 <= Earthquake Magnitude >= 9.9""]"' + "\t" * (len(NCEI_COLUMNS) - 1)


def ncei_row(**values: str) -> str:
    cells = []
    for column in NCEI_COLUMNS:
        value = values.get(column.replace(" ", "_").replace("(", "").replace(")", ""), "")
        cells.append(f'"{value}"' if column == "Location Name" and value else value)
    return "\t".join(cells)


# Line 3: 2150 BC, near Azerbaijan; 4: 1850; 5: Baku 2000 (also in the ComCat sample);
# 6: Zaqatala 2012; 7: 1931 without the time of day, deaths as a description only;
# 8: 1950 without the day; 9: Chile (far); 10: no latitude; 11: a month that is no number.
NCEI = [
    "\t".join(f'"{c}"' for c in NCEI_COLUMNS),
    PARAMETERS,
    ncei_row(Year="-2150", Location_Name="ARMENIA:  DVIN", Latitude="40.0", Longitude="44.6",
             Mag="6"),
    ncei_row(Year="1850", Mo="1", Dy="1", Location_Name="AZERBAIJAN:  SHAMAKHI",
             Latitude="40.6", Longitude="48.6"),
    ncei_row(Year="2000", Mo="11", Dy="25", Hr="18", Mn="9", Sec="11.4",
             Location_Name="AZERBAIJAN:  BAKU", Latitude="40.245", Longitude="49.946",
             Focal_Depth_km="50", Mag="6.8", Deaths="31", Death_Description="1",
             Injuries="430", Injuries_Description="3", Damage_Description="1",
             Total_Deaths="31", Total_Injuries="430", Total_Damage_Description="1"),
    ncei_row(Year="2012", Mo="5", Dy="7", Hr="4", Mn="40", Sec="27.7",
             Location_Name="AZERBAIJAN:  ZAGATALA", Latitude="41.549", Longitude="46.789",
             Focal_Depth_km="11", Mag="5.7", Injuries="50", Damage_Description="3",
             Houses_Destroyed="3100", Total_Injuries="50", Total_Houses_Destroyed="3100"),
    ncei_row(Year="1931", Mo="4", Dy="27", Location_Name="ARMENIA-AZERBAIJAN:  ZANGEZUR",
             Latitude="39.2", Longitude="46.0", Mag="6.3", Death_Description="3",
             Total_Death_Description="3"),
    ncei_row(Year="1950", Mo="7", Location_Name="AZERBAIJAN", Latitude="40.5",
             Longitude="47.5", Mag="5"),
    ncei_row(Year="2010", Mo="2", Dy="27", Hr="6", Mn="34", Sec="11.5",
             Location_Name="CHILE:  MAULE", Latitude="-36.122", Longitude="-72.898", Mag="8.8",
             Deaths="558"),
    ncei_row(Year="1999", Mo="1", Dy="2", Location_Name="AZERBAIJAN", Longitude="48.0",
             Mag="5"),
    ncei_row(Year="2005", Mo="May", Dy="2", Location_Name="AZERBAIJAN: SHAMAKHI",
             Latitude="40.6", Longitude="48.6", Mag="5"),
]  # fmt: skip


def write(path: Path, lines: list[str], ending: str = "\n") -> Path:
    path.write_text(ending.join(lines) + ending, encoding="utf-8", newline="")
    return path


def write_all(folder: Path) -> tuple[Path, Path, Path]:
    """The three samples in ``folder``: ComCat service CSV, ComCat extract, NCEI TSV."""
    return (
        write(folder / "comcat.csv", SERVICE),
        write(folder / "comcat_extract.csv", EXTRACT),
        write(folder / "ncei.tsv", NCEI, "\r\n"),
    )
