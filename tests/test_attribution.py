"""Leak attribution on tests/trees/attribution: each finding names the tests
responsible, and only them, from one `--leaks` run; an objects finding
carries a referrer chain from the module global that holds the objects."""

import json

import pytest
from sidebyside import ROOT, run_leakrunner

# One --leaks run of the whole tree, shared by the module.
pytestmark = pytest.mark.slow(90)

TREE = ROOT / "tests" / "trees" / "attribution"


@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    path = tmp_path_factory.mktemp("attribution") / "leaks.json"
    status, out, err = run_leakrunner(
        [
            "--path",
            str(TREE),
            "--tests-pattern",
            "^(many|two_types|pair|subscribers)$",
            "--leaks",
            "--leak-report",
            str(path),
        ],
        timeout=1200,
    )
    assert status == 1, out + err
    doc = json.loads(path.read_text())
    return {layer["layer"].split(".")[0]: layer for layer in doc["layers"]}, out


def named_tests(layer, type_name):
    found = [f for f in layer["findings"] if f["type"] == type_name]
    assert found, (type_name, layer["findings"])
    return found[0]["tests"]


def test_one_leaking_test_among_200_is_named_alone(layers):
    layer = layers[0]["many"]
    assert layer["verdict"] == "leak"
    assert named_tests(layer, "many.Needle") == ["many.Tests.test_137"]


def test_two_tests_are_named_each_with_its_type(layers):
    layer = layers[0]["two_types"]
    assert named_tests(layer, "two_types.Alpha") == ["two_types.Tests.test_03"]
    assert named_tests(layer, "two_types.Beta") == ["two_types.Tests.test_16"]


def test_a_leak_of_two_tests_together_names_the_pair(layers):
    layer = layers[0]["pair"]
    assert named_tests(layer, "pair.Spark") == [
        "pair.Tests.test_04_arm",
        "pair.Tests.test_11_fire",
    ]


def test_a_subscriber_list_is_pinned_to_the_test_that_subscribes(layers):
    layer = layers[0]["subscribers"]
    finding = [f for f in layer["findings"] if f["type"] == "subscribers.Listener"][0]
    assert finding["tests"] == ["subscribers.Tests.test_subscribe"]
    chain = finding["chain"]
    assert chain[0] == "subscribers.SUBSCRIBERS (list)", chain
    assert chain[-1].endswith("subscribers.Listener"), chain


def test_no_clean_test_is_ever_named(layers):
    leaking = {
        "many.Tests.test_137",
        "two_types.Tests.test_03",
        "two_types.Tests.test_16",
        "pair.Tests.test_04_arm",
        "pair.Tests.test_11_fire",
        "subscribers.Tests.test_subscribe",
    }
    for layer in layers[0].values():
        for finding in layer["findings"]:
            assert set(finding["tests"]) <= leaking, finding


def test_the_console_names_the_tests_and_the_chain(layers):
    out = layers[1]
    summary = out[out.index("Leaks:") :]
    assert "by many.Tests.test_137" in summary
    assert "held by subscribers.SUBSCRIBERS (list)" in summary
    for line in summary.splitlines():
        assert len(line) < 80, line


def test_layers_in_child_processes_send_their_verdicts_back(tmp_path):
    path = tmp_path / "leaks.json"
    status, out, err = run_leakrunner(
        [
            "--path",
            str(TREE),
            "--tests-pattern",
            "^(two_types|subscribers)$",
            "--leaks",
            "-j",
            "2",
            "--leak-report",
            str(path),
        ],
        timeout=1200,
    )
    assert status == 1, out + err
    layers = {layer["layer"]: layer for layer in json.loads(path.read_text())["layers"]}
    assert layers["two_types.TwoLayer"]["verdict"] == "leak"
    assert named_tests(layers["two_types.TwoLayer"], "two_types.Beta") == [
        "two_types.Tests.test_16"
    ]
    assert layers["subscribers.SubscribersLayer"]["verdict"] == "leak"
    assert "by two_types.Tests.test_03" in out[out.index("Leaks:") :]
