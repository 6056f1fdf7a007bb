"""The built-in national compute hub sites (``scenarios/library/hub-*.toml``, issue 16 item 3).

China's eight hub nodes of East Data West Computing, each with the file names it may have,
its 2023 regional grid factor (MEE, reference/kpis-policy.md), its provincial tariff and its
PUE target (four-ministry plan, Dec 2021: hub nodes < 1.25; the western nodes, in cold or
mild climates, 1.2 as Qingyang's <= 1.2). Every hub-* file must be one of these, so a hub
added later is checked here without editing the test.
"""

from datetime import datetime

import pytest

from scenarios.grid_factors import GRID_FACTORS
from scenarios.library import example_names, load_example
from scenarios.tariffs import TARIFFS

WEST_PUE, EAST_PUE = 1.2, 1.25
#: node -> ({file name: provincial tariff}, regional grid factor, PUE target)
HUB_NODES = {
    "Inner Mongolia": ({"hub-ulanqab": "cn-mengxi-two-part", "hub-hohhot": "cn-mengxi-two-part"},
                       "cn-north-2023", WEST_PUE),
    "Gansu": ({"hub-qingyang": "cn-gansu-two-part", "hub-lanzhou": "cn-gansu-two-part"},
              "cn-northwest-2023", WEST_PUE),
    "Ningxia": ({"hub-zhongwei": "cn-ningxia-two-part", "hub-yinchuan": "cn-ningxia-two-part"},
                "cn-northwest-2023", WEST_PUE),
    "Guizhou": ({"hub-guiyang": "cn-guizhou-two-part"}, "cn-south-2023", WEST_PUE),
    "Chengdu-Chongqing": ({"hub-chengdu": "cn-sichuan-two-part", "hub-chongqing": "cn-generic-ndrc"},
                          "cn-southwest-2023", EAST_PUE),
    "Yangtze River Delta": ({"hub-shanghai": "cn-shanghai-two-part"}, "cn-east-2023", EAST_PUE),
    "Guangdong-Hong Kong-Macao": ({"hub-guangzhou": "cn-guangdong-two-part",
                                   "hub-shenzhen": "cn-guangdong-two-part"}, "cn-south-2023", EAST_PUE),
    "Beijing-Tianjin-Hebei": ({"hub-beijing": "cn-beijing-two-part"}, "cn-north-2023", EAST_PUE),
}  # fmt: skip
EXPECTED = {
    name: (node, tariff, factor, pue)
    for node, (files, factor, pue) in HUB_NODES.items()
    for name, tariff in files.items()
}
HUB_FILES = [n for n in example_names() if n.startswith("hub-")]
#: The one horizon of every hub, so that they can be combined into a fleet.
HUB_START, HUB_HOURS = datetime(2023, 7, 10), 168


def test_the_expected_table_is_consistent_with_the_built_in_keys():
    for node, tariff, factor, _ in EXPECTED.values():
        assert tariff in TARIFFS and TARIFFS[tariff].currency == "CNY", node
        assert factor in GRID_FACTORS, node


def test_there_are_hub_files_and_at_most_one_per_node():
    assert HUB_FILES, "no hub-* scenario in scenarios/library"
    nodes = [EXPECTED[n][0] for n in HUB_FILES if n in EXPECTED]
    assert len(nodes) == len(set(nodes)), nodes


@pytest.mark.parametrize("name", HUB_FILES)
def test_hub_is_a_known_node_with_its_grid_tariff_target_and_the_common_horizon(name):
    assert name in EXPECTED, f"{name}: not a file name of a hub node ({sorted(EXPECTED)})"
    node, tariff, factor, pue = EXPECTED[name]
    s = load_example(name)
    assert s.name == name
    assert (s.horizon.start, s.horizon.hours) == (HUB_START, HUB_HOURS)
    assert s.grid.currency == "CNY" and s.site.timezone == "Asia/Shanghai"
    assert (s.grid.price.source, s.grid.price.tariff) == ("tou", tariff)
    assert (s.grid.carbon.source, s.grid.carbon.factor) == ("factor", factor)
    assert s.targets.pue == pue and s.targets.label
    assert node.split("-")[0].split(" ")[0] in s.description, "the description names its node"
    assert s.assumptions, "a hub lists what it assumes"
    if tariff == "cn-generic-ndrc":
        assert any("cn-generic-ndrc" in a for a in s.assumptions), "say why the generic tariff"


@pytest.mark.parametrize("name", HUB_FILES)
def test_hub_has_liquid_cooled_ai_halls_and_a_small_workload(name):
    s = load_example(name)
    cold_plates = [p for p in s.pods if p.cooling == "cold_plate"]
    assert cold_plates and all(40 <= p.rack_kw <= 50 for p in cold_plates)
    assert any(p.cooling == "immersion" for p in s.pods)
    assert s.workload.generator is not None and s.workload.generator.count <= 40
    assert s.solver.time_limit_s <= 20  # s: each hub runs alone in well under a minute
