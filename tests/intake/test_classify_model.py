"""Training, storing and loading a typing model, and the classifier the platform types with."""

from __future__ import annotations

import json
import os
from itertools import cycle, islice
from pathlib import Path

import pytest

from qalxan.errors import InvalidInput
from qalxan.intake.classify import (
    IncompatibleModel,
    RuleClassifier,
    TrainedClassifier,
    classifier_for,
    model_path,
    train,
)
from qalxan.intake.taxonomy import taxonomy

PLACES = ["Ganja", "Shamakhi", "Lankaran", "Quba", "Sheki", "Barda", "Zaqatala", "Agdam"]
TEMPLATES = {
    "peaceful-protest": "About {n} residents of {p} held a rally demanding clean water.",
    "armed-clash": "Government troops clashed with an armed group near {p}; {n} fighters died.",
    "earthquake": "An earthquake of magnitude {m} shook {p}; {n} houses were damaged.",
    "cyber-incident": "Hackers hit the servers of the {p} municipality with ransomware.",
    "drug-trafficking": "Police seized {n} kg of heroin from a truck near {p}.",
}


def synthetic(count: int) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    codes = list(islice(cycle(TEMPLATES), count))
    for index, code in enumerate(codes):
        place = PLACES[index % len(PLACES)]
        texts.append(TEMPLATES[code].format(n=index + 3, m=4 + index % 3, p=place))
        labels.append(code)
    return texts, labels


@pytest.fixture(scope="module")
def model() -> TrainedClassifier:
    texts, labels = synthetic(60)
    return train(texts, labels)


PROBES = [
    "Residents of Baku held a rally demanding clean water.",
    "An earthquake shook Gabala.",
    "Hackers attacked the ministry with ransomware.",
    "Troops clashed with militants near Fuzuli.",
]


def test_a_trained_model_types_and_explains(model: TrainedClassifier) -> None:
    typings = model.classify_many(PROBES)
    assert [t.event_type for t in typings] == [
        "peaceful-protest",
        "earthquake",
        "cyber-incident",
        "armed-clash",
    ]
    first = typings[0]
    assert first.method == "model"
    assert first.evidence and all(" +" in term for term in first.evidence)
    assert "margin" in first.explanation
    assert sum(score for _, score in first.scores) == pytest.approx(1.0, abs=0.01)
    quake = typings[1]  # no ACLED type of its own: the best ACLED group of the other scores
    groups: dict[str, float] = {}
    for code, value in quake.scores:
        acled = taxonomy().by_code[code].acled_event_type
        if acled:
            groups[acled] = groups.get(acled, 0.0) + value
    assert quake.acled_event_type == max(groups, key=groups.__getitem__)
    assert model.classify(PROBES[0]) == first


def test_types_the_model_never_saw_are_left_to_the_rules() -> None:
    texts, labels = synthetic(60)
    kept = [(t, label) for t, label in zip(texts, labels, strict=True) if label != "earthquake"]
    model = train([t for t, _ in kept], [label for _, label in kept])
    quake, protest = model.classify_many(["Şamaxıda güclü zəlzələ olub.", PROBES[0]])
    assert (quake.event_type, quake.method) == ("earthquake", "rules")
    assert quake.explanation.startswith("not a type the model was trained on; rules:")
    assert (protest.event_type, protest.method) == ("peaceful-protest", "model")


def test_save_and_load_give_the_same_predictions(model: TrainedClassifier, tmp_path: Path) -> None:
    path = tmp_path / "models" / "typing.joblib"
    model.save(path)
    loaded = TrainedClassifier.load(path)
    assert loaded.classify_many(PROBES) == model.classify_many(PROBES)
    metadata = json.loads(path.with_suffix(".json").read_text("utf-8"))
    assert metadata["samples"] == 60
    assert metadata["labels"]["earthquake"] == 12
    assert metadata["validation"] is None  # too few examples to hold some back
    assert {"trained_at", "versions", "taxonomy_codes", "design", "lexicon"} <= set(metadata)
    assert metadata["versions"]["scikit-learn"]


def test_training_validates_and_chooses_a_design() -> None:
    texts, labels = synthetic(250)
    trained = train(texts, labels, keys=[f"k{i}" for i in range(250)])
    validation = trained.metadata["validation"]
    assert validation["samples"] >= 30
    assert validation["accuracy"] > 0.9
    assert set(trained.metadata["candidates"]) == {"fine", "hierarchical"}
    assert trained.metadata["design"] in ("fine", "hierarchical")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("taxonomy_codes", ["armed-clash"], "other event type codes"),
        ("versions", {"scikit-learn": "0.24.2"}, "made with scikit-learn 0.24.2"),
        ("format", 99, "format 99"),
    ],
)
def test_loading_refuses_an_incompatible_model(
    model: TrainedClassifier, tmp_path: Path, field: str, value: object, message: str
) -> None:
    path = tmp_path / "typing.joblib"
    model.save(path)
    meta = path.with_suffix(".json")
    metadata = json.loads(meta.read_text("utf-8"))
    metadata[field] = value
    meta.write_text(json.dumps(metadata), "utf-8")
    with pytest.raises(IncompatibleModel, match=message):
        TrainedClassifier.load(path)


def test_training_refuses_unknown_codes_and_a_single_type() -> None:
    with pytest.raises(InvalidInput, match="unknown event types volcano"):
        train(["a", "b"], ["volcano", "flood"])
    with pytest.raises(InvalidInput, match="at least two event types"):
        train(["a", "b"], ["flood", "flood"])


def test_the_platform_uses_the_rules_until_a_model_is_trained(
    model: TrainedClassifier, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    assert isinstance(classifier_for(data_dir), RuleClassifier)
    assert classifier_for(data_dir) is classifier_for(data_dir)
    model.save(model_path(data_dir))
    trained = classifier_for(data_dir)
    assert isinstance(trained, TrainedClassifier)
    assert classifier_for(data_dir) is trained  # cached while the file is unchanged

    model.save(model_path(data_dir))  # a newer model replaces it
    stamp = model_path(data_dir).stat().st_mtime_ns + 1_000_000
    os.utime(model_path(data_dir), ns=(stamp, stamp))
    assert classifier_for(data_dir) is not trained


def test_an_unusable_stored_model_falls_back_to_the_rules(
    model: TrainedClassifier, tmp_path: Path
) -> None:
    path = model_path(tmp_path)
    model.save(path)
    path.with_suffix(".json").write_text("{}", "utf-8")
    assert isinstance(classifier_for(tmp_path), RuleClassifier)
