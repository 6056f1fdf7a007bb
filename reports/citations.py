"""Sources cited as publications, never as coolshift's internal files.

Source texts reach a report from other packages (the physics parameters of
``thermal.describe``, the grid factors and tariffs of ``scenarios``, the run's manifest)
and some name the repository files the facts were collected in (``physics.md``,
``reference/china_tou_tariffs.md``, ``china_climate_normals.csv``), which an auditor
cannot open. :func:`public_text` rewrites each such mention into the publication that
file gives for the fact (or "judgement" where the file says the value is one), and the
provenance tags of the tariff sheet into words. :func:`references_section` then lists,
once at the end of a report, every publication the report's text cites: author, year,
title, publisher and address. Both run over the whole report (:func:`cite_report`), so
every format says the same.

What the user wrote (a scenario's name, description and file paths, pod and site names,
the run directory; not its notes, assumptions or labels, which carry sources to cite) is
quoted as written: :func:`cite_report` takes those strings and keeps
every occurrence of one that the rewrites would change or that names a publication out of
both passes (a run directory ``docs/q3`` stays ``docs/q3``, and a description that mentions
"TMY3" does not add the TMY3 manual to the references).

The publications and what each file gives for a fact come from coolshift's reference
sheets (physics, KPIs and policy, China tariffs, China climate normals); a publication is
listed only when its marker is found in the report's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import PurePath

from reports import document as doc
from scenarios.schema import Scenario


@dataclass(frozen=True)
class Publication:
    """A publication a report cites.

    Attributes
    ----------
    cited_as : str
        How the report's text names it (the short form readers look up).
    authors : str
        Authors or issuing bodies.
    year : str
        Year (or years) of publication; ``n.d.`` where the document carries none.
    title : str
    publisher : str
        Journal, publisher or issuing office, with volume and pages where they apply.
    url : str
        DOI or address where it can be read (may be empty).
    markers : tuple of str
        Regular expressions (case-sensitive) that find a citation of it in the text.
    """

    cited_as: str
    authors: str
    year: str
    title: str
    publisher: str
    url: str = ""
    markers: tuple[str, ...] = ()

    @property
    def reference(self) -> str:
        """``Authors (year). Title. Publisher. URL`` in one line."""
        parts = [f"{self.authors} ({self.year}). {self.title}.", f"{self.publisher}."]
        if self.url:
            parts.append(self.url)
        return " ".join(parts)


#: Every publication a report may cite, in the order the references list them.
PUBLICATIONS: tuple[Publication, ...] = (
    # --- weather -------------------------------------------------------------------------
    Publication("TMY3 (NREL)", "Wilcox, S. and Marion, W.", "2008",
                "Users Manual for TMY3 Data Sets, NREL/TP-581-43156",
                "National Renewable Energy Laboratory, Golden, CO",
                "https://www.nrel.gov/docs/fy08osti/43156.pdf", (r"TMY3",)),
    Publication("TMY2 (NREL)", "Marion, W. and Urban, K.", "1995",
                "User's Manual for TMY2s (Typical Meteorological Years)",
                "National Renewable Energy Laboratory, Golden, CO", "", (r"TMY2",)),
    Publication("pvlib", "Anderson, K. S., Hansen, C. W., Holmgren, W. F., Jensen, A. R., "
                "Mikofski, M. A. and Driesse, A.", "2023", "pvlib python: 2023 project update",
                "Journal of Open Source Software 8(92), 5994",
                "https://doi.org/10.21105/joss.05994", (r"pvlib",)),
    Publication("CSWD", "China Meteorological Bureau Climate Information Center and Tsinghua "
                "University", "2010",
                "China Standard Weather Data for analysing building thermal conditions (CSWD, "
                "中国建筑热环境分析专用气象数据集), typical years of the WMO stations",
                "China Architecture & Building Press, Beijing", "", (r"CSWD",)),
    # --- grid carbon and prices ------------------------------------------------------------
    Publication("US EPA eGRID2022", "US Environmental Protection Agency", "2024",
                "Emissions & Generation Resource Integrated Database (eGRID2022), subregion "
                "total output emission rates", "US EPA, Washington, DC",
                "https://www.epa.gov/egrid", (r"eGRID ?2022",)),
    Publication("EIA Electric Power Annual 2023", "US Energy Information Administration", "2024",
                "Electric Power Annual 2023 (average revenue per kWh by state and sector)",
                "US EIA, Washington, DC", "https://www.eia.gov/electricity/annual/",
                (r"Electric Power Annual 2023",)),
    Publication("MEE / NBS grid emission factors", "Ministry of Ecology and Environment and "
                "National Bureau of Statistics of China", "2024-2025",
                "Announcements of the electricity CO2 emission factors for 2021, 2022 and 2023 "
                "(national, regional grid and provincial averages)",
                "MEE, Beijing", "https://www.mee.gov.cn/", (r"MEE ?/ ?NBS", r"MEE 2023")),
    Publication("NDRC 2021 TOU notice", "National Development and Reform Commission", "2021",
                "关于进一步完善分时电价机制的通知 (Notice on further improving the time-of-use "
                "tariff mechanism), 发改价格〔2021〕1093号", "NDRC, Beijing",
                "https://www.ndrc.gov.cn/", (r"NDRC 2021",)),
    Publication("NDRC 发改价格〔2026〕1077号", "National Development and Reform Commission",
                "2026", "Provincial transmission and distribution tariffs of the fourth "
                "regulatory period, 发改价格〔2026〕1077号 (in force 2026-08-01)",
                "NDRC, Beijing",
                "https://www.ndrc.gov.cn/xwdt/tzgg/202607/t20260710_1406433.html",
                (r"1077号", r"NDRC 1077")),
    Publication("沪发改价管〔2022〕50号", "Shanghai Municipal Development and Reform Commission",
                "2022", "关于进一步完善我市分时电价机制有关事项的通知, 沪发改价管〔2022〕50号 "
                "(deep valley added by 沪发改价管〔2024〕28号)", "Shanghai DRC",
                "https://fgw.sh.gov.cn/fgw_jggl/20221216/e2652e3ab7ee49438d6e82af8880b160.html",
                (r"沪发改价管〔2022〕50号",)),
    Publication("京发改规〔2023〕11号", "Beijing Municipal Commission of Development and Reform",
                "2023", "北京市发展和改革委员会关于进一步完善本市分时电价机制等有关事项的通知, "
                "京发改规〔2023〕11号", "Beijing DRC",
                "https://fgw.beijing.gov.cn/fgwzwgk/2024zcwj/bwgfxwj/202308/t20230821_3718725.htm",
                (r"京发改规〔2023〕11号",)),
    Publication("川发改价格〔2025〕185号", "Sichuan Provincial Development and Reform "
                "Commission", "2025", "四川省发展和改革委员会关于进一步调整我省分时电价机制的"
                "通知, 川发改价格〔2025〕185号", "Sichuan DRC", "", (r"川发改价格〔2025〕185号",)),
    Publication("新发改规〔2023〕11号", "Xinjiang Uygur Autonomous Region Development and "
                "Reform Commission", "2023", "自治区发展改革委关于进一步完善分时电价有关事宜的"
                "通知, 新发改规〔2023〕11号", "Xinjiang DRC", "", (r"新发改规〔2023〕11号",)),
    Publication("粤发改价格〔2021〕331号", "Guangdong Provincial Development and Reform "
                "Commission", "2021", "Time-of-use tariff notice, 粤发改价格〔2021〕331号",
                "Guangdong DRC", "https://drc.gd.gov.cn/ywtz/content/post_3500421.html",
                (r"粤发改价格〔2021〕331号",)),
    Publication("内发改价费字〔2023〕1630号", "Inner Mongolia Autonomous Region Development and "
                "Reform Commission", "2023", "Time-of-use tariff notice for the Mengxi grid, "
                "内发改价费字〔2023〕1630号", "Inner Mongolia DRC", "",
                (r"内发改价费字〔2023〕1630号",)),
    Publication("浙发改价格〔2026〕112号", "Zhejiang Provincial Development and Reform "
                "Commission", "2026", "Time-of-use tariff notice, 浙发改价格〔2026〕112号 (in "
                "force 2026-07-01)", "Zhejiang DRC",
                "https://www.zj.gov.cn/col/col1229203589/art/2026/"
                "art_db07d88b6c68f1412561a0e8640cc135.html", (r"浙发改价格〔2026〕112号",)),
    Publication("甘发改价格〔2024〕424号", "Gansu Provincial Development and Reform Commission",
                "2024", "关于优化调整工商业等用户峰谷分时电价政策有关事项的通知, "
                "甘发改价格〔2024〕424号", "Gansu DRC", "", (r"甘发改价格〔2024〕424号",)),
    Publication("黔发改价格〔2023〕481号", "Guizhou Provincial Development and Reform "
                "Commission", "2023", "省发展改革委关于完善峰谷分时电价机制有关事项的通知, "
                "黔发改价格〔2023〕481号", "Guizhou DRC",
                "https://fgw.guizhou.gov.cn/zwgk/zcwj/zcwj/202306/t20230628_80566840.html",
                (r"黔发改价格〔2023〕481号",)),
    Publication("宁发改价格（管理）〔2023〕7号", "Ningxia Hui Autonomous Region Development and "
                "Reform Commission", "2023", "自治区发展改革委关于优化峰谷分时电价机制的通知, "
                "宁发改价格（管理）〔2023〕7号", "Ningxia DRC", "",
                (r"宁发改价格（管理）〔2023〕7号",)),
    Publication("代理购电 price tables", "Provincial grid companies (State Grid, China Southern "
                "Power Grid, Inner Mongolia Power)", "2025-2026",
                "代理购电工商业用户电价表 (monthly agency-purchase price tables for industrial "
                "and commercial users), read in third-party transcriptions",
                "the grid companies' 95598 announcements", "", (r"代理购电", r"国网")),
    # --- China's policy targets ----------------------------------------------------------------
    Publication("four-ministry plan, Dec 2021", "National Development and Reform Commission, "
                "Cyberspace Administration of China, Ministry of Industry and Information "
                "Technology and National Energy Administration", "2021",
                "贯彻落实碳达峰碳中和目标要求 推动数据中心和5G等新型基础设施绿色高质量发展实施"
                "方案 (implementation plan for green, high-quality data centres and 5G), "
                "发改高技〔2021〕1742号", "NDRC, Beijing", "https://www.ndrc.gov.cn/",
                (r"four-ministry plan",)),
    Publication("hub approvals 2022", "National Development and Reform Commission, Cyberspace "
                "Administration of China, Ministry of Industry and Information Technology and "
                "National Energy Administration", "2022",
                "Replies approving the national computing hub nodes and their data-centre "
                "clusters ('East Data, West Computing'; PUE <= 1.25 in eastern, <= 1.2 in "
                "western clusters such as Qingyang)", "NDRC, Beijing", "https://www.ndrc.gov.cn/",
                (r"Qingyang", r"Yangtze River Delta clusters", r"hub approvals")),
    Publication("MIIT 2021-2023 plan", "Ministry of Industry and Information Technology", "2021",
                "新型数据中心发展三年行动计划（2021-2023年） (three-year action plan for new "
                "data centres, 2021-2023)", "MIIT, Beijing", "https://www.miit.gov.cn/",
                (r"MIIT 2021",)),
    Publication("GB 40879-2021", "State Administration for Market Regulation and "
                "Standardization Administration of China", "2021",
                "GB 40879-2021 数据中心能效限定值及能效等级 (Maximum allowable values of energy "
                "efficiency and energy efficiency grades for data centers)",
                "Standards Press of China, Beijing", "", (r"GB 40879",)),
    Publication("Uptime Institute surveys", "Uptime Institute", "2023, 2024",
                "Global Data Center Survey 2023; Global Data Center Survey 2024",
                "Uptime Institute, New York", "https://uptimeinstitute.com/",
                (r"Uptime Institute",)),
    # --- indicators and reporting --------------------------------------------------------------
    Publication("ISO/IEC 30134", "ISO/IEC JTC 1", "2016-2022",
                "ISO/IEC 30134 Information technology - Data centres - Key performance "
                "indicators: part 2 PUE (2016), part 3 REF (2016), part 6 ERF (2021), part 8 "
                "CUE (2022), part 9 WUE (2022)", "ISO, Geneva", "https://www.iso.org/",
                (r"ISO/IEC 30134",)),
    Publication("EN 50600-4", "CENELEC", "2016-2023",
                "EN 50600-4 Information technology - Data centre facilities and "
                "infrastructures - Part 4: key performance indicators (4-2 PUE, 4-3 REF, "
                "4-6 ERF, 4-9 WUE)", "CENELEC, Brussels", "https://www.cencenelec.eu/",
                (r"EN 50600-4",)),
    Publication("The Green Grid TUE / ITUE", "Patterson, M. K., Poole, S. W., Hsu, C.-H., "
                "Maxwell, D., Tschudi, W., Coles, H., Martinez, D. J. and Bates, N.", "2013",
                "TUE, a new energy-efficiency metric applied at ORNL's Jaguar",
                "Supercomputing (ISC 2013), Lecture Notes in Computer Science 7905, Springer",
                "", (r"The Green Grid (TUE|ITUE)",)),
    Publication("GHG Protocol Scope 2 Guidance (2015)", "World Resources Institute and World "
                "Business Council for Sustainable Development", "2015",
                "GHG Protocol Scope 2 Guidance: an amendment to the GHG Protocol Corporate "
                "Standard", "WRI, Washington, DC", "https://ghgprotocol.org/scope-2-guidance",
                (r"GHG Protocol",)),
    Publication("ESRS E1", "European Commission", "2023",
                "Commission Delegated Regulation (EU) 2023/2772, European Sustainability "
                "Reporting Standards (ESRS E1 Climate change)", "Official Journal of the "
                "European Union, L 2023/2772", "https://eur-lex.europa.eu/eli/reg_del/2023/2772/oj",
                (r"ESRS",)),
    Publication("Directive (EU) 2023/1791", "European Parliament and Council", "2023",
                "Directive (EU) 2023/1791 on energy efficiency (recast), Article 12 and "
                "Annex VII", "Official Journal of the European Union, L 231",
                "https://eur-lex.europa.eu/eli/dir/2023/1791/oj", (r"2023/1791",)),
    Publication("Delegated Regulation (EU) 2024/1364", "European Commission", "2024",
                "Commission Delegated Regulation (EU) 2024/1364 on the first phase of the "
                "establishment of a common Union rating scheme for data centres",
                "Official Journal of the European Union, L 2024/1364",
                "https://eur-lex.europa.eu/eli/reg_del/2024/1364/oj", (r"2024/1364",)),
    # --- physics ---------------------------------------------------------------------------
    Publication("Lei & Masanet 2020", "Lei, N. and Masanet, E.", "2020",
                "Statistical analysis for predicting location-specific data center PUE and its "
                "improvement potential", "Energy 201, 117556",
                "https://doi.org/10.1016/j.energy.2020.117556", (r"Lei (&|and) Masanet",)),
    Publication("ASHRAE Thermal Guidelines, 5th ed.", "ASHRAE TC 9.9", "2021",
                "Thermal Guidelines for Data Processing Environments, 5th edition",
                "ASHRAE, Peachtree Corners, GA", "", (r"Thermal Guidelines",)),
    Publication("ASHRAE Handbook - Fundamentals", "ASHRAE", "2021",
                "ASHRAE Handbook - Fundamentals, chapter 14: Climatic design information",
                "ASHRAE, Peachtree Corners, GA", "", (r"ASHRAE Handbook - Fundamentals",)),
    Publication("ASHRAE Handbook - HVAC Systems and Equipment", "ASHRAE", "2020",
                "ASHRAE Handbook - HVAC Systems and Equipment, chapter 41: Evaporative "
                "air-cooling equipment", "ASHRAE, Peachtree Corners, GA", "",
                (r"HVAC Systems and Equipment",)),
    Publication("AHRI 550/590", "Air-Conditioning, Heating, and Refrigeration Institute", "2023",
                "AHRI Standard 550/590 (I-P): Performance rating of water-chilling and heat "
                "pump water-heating packages using the vapor compression cycle",
                "AHRI, Arlington, VA", "https://www.ahrinet.org/", (r"AHRI 550/590",)),
    Publication("EnergyPlus", "US Department of Energy", "2023",
                "EnergyPlus Engineering Reference and Input Output Reference (air-cooled IT "
                "equipment, Chiller:Electric:EIR with the DOE-2 chiller curve data set, "
                "cooling tower water use)", "US DOE Building Technologies Office",
                "https://energyplus.net/documentation", (r"EnergyPlus",)),
    Publication("Energies 2023 16(9):3661", "Institute of Energy Economics and Rational Energy "
                "Use (IER), University of Stuttgart", "2023",
                "Free cooling for saving energy: technical market analysis of dry, wet, and "
                "hybrid cooling based on manufacturer data", "Energies 16(9), 3661",
                "https://doi.org/10.3390/en16093661", (r"Energies 2023,? 16\(9\)",)),
    Publication("Sustainability 2023 15(21):15454", "Institute of Energy Economics and Rational "
                "Energy Use (IER), University of Stuttgart", "2023",
                "Catalyzing cooling tower efficiency: a novel energy performance indicator and "
                "functional unit including climate and cooling demand normalization",
                "Sustainability 15(21), 15454", "https://doi.org/10.3390/su152115454",
                (r"Sustainability 2023,? 15\(21\)",)),
    Publication("arXiv 2509.26163", "arXiv preprint", "2025",
                "preprint arXiv:2509.26163 (its title is not recorded in coolshift's source "
                "sheet; cited for server power against inlet temperature, 23-30 °C)", "arXiv",
                "https://arxiv.org/abs/2509.26163", (r"arXiv:? ?2509\.26163",)),
    Publication("Schneider Electric White Paper 108", "Avelar, V.", "n.d., revision 2",
                "Making large UPS systems more efficient, White Paper 108",
                "Schneider Electric", "", (r"White Paper 108",)),
    Publication("Schneider Electric White Paper 282", "Schneider Electric", "n.d.",
                "Capital cost analysis of immersive liquid-cooled vs. air-cooled large data "
                "centers, White Paper 282", "Schneider Electric", "",
                (r"White Paper 282", r"\bWP 282\b")),
    Publication("UPS datasheets", "Schneider Electric; Vertiv", "n.d.",
                "Galaxy VX UPS and Liebert EXL S1 UPS product datasheets (efficiency by load)",
                "the manufacturers' product pages", "", (r"Galaxy VX",)),
    Publication("US DOE 2016 / EU Tier 2 transformers", "US Department of Energy; European "
                "Commission", "2013, 2014",
                "Energy conservation standards for distribution transformers, 10 CFR 431.196 "
                "(compliance from 2016); Commission Regulation (EU) No 548/2014 on "
                "power transformers (Tier 2 from 2021)", "US Federal Register; Official Journal "
                "of the European Union", "", (r"US DOE 2016",)),
    Publication("IDC / Inspur 2023-2024 China AI compute report", "IDC and Inspur Information",
                "2023", "2023-2024 中国人工智能计算力发展评估报告 (China AI computing power "
                "development assessment report)", "IDC, Beijing", "", (r"IDC ?/ ?Inspur",)),
    Publication("CoolProp", "Bell, I. H., Wronski, J., Quoilin, S. and Lemort, V.", "2014",
                "Pure and pseudo-pure fluid thermophysical property evaluation and the "
                "open-source thermophysical property library CoolProp",
                "Industrial & Engineering Chemistry Research 53(6), 2498-2508",
                "https://doi.org/10.1021/ie4033999", (r"CoolProp",)),
    Publication("Aslan et al. 2018", "Aslan, J., Mayers, K., Koomey, J. G. and France, C.", "2018",
                "Electricity intensity of Internet data transmission: untangling the estimates",
                "Journal of Industrial Ecology 22(4), 785-798",
                "https://doi.org/10.1111/jiec.12630", (r"Aslan et al\.?,? 2018",)),
)

#: Provenance tags of the China tariff sheet, in words (its "Read this first" table).
TAGS = {
    "V1": "official wording, confirmed by an independent copy",
    "V2": "official wording, one copy",
    "N": "third-party compilation",
    "U": "unverified",
}
_TAG = re.compile(r"\[(V1|V2|N|U)(?:,\s*([^\]]*))?\]")

#: Internal file mentions and what each says publicly, applied in order (the specific
#: wordings of thermal.describe and the scenarios' sources first, then general rules, so
#: no internal name is left).
REWRITES: tuple[tuple[str, str], ...] = (
    # physics parameters: each fact with the publication the physics sheet gives for it
    (r"Energy 208 \(2020\) 117556", "Energy 201 (2020) 117556"),
    (r"judgement default of physics\.md", "judgement default"),
    (r"physics\.md gives (\d[\d.]*-\d[\d.]* %)", r"typically \1"),
    (r"\(physics\.md: (\d[\d.]*-\d[\d.]* %)\)", r"(other estimates: \1)"),
    (r"\(dew point <= 15 °C, physics\.md; the sheet's older rule of thumb",
     "(dew point <= 15 °C, ASHRAE Thermal Guidelines 5th ed.; an older rule of thumb"),
    (r"physics\.md water flow basis \(1\.44 L/min per kW\)",
     "water flow of 1.44 L/min per kW at 10 K (derived from heat = density x heat capacity x "
     "flow x rise)"),
    (r"physics\.md (\d[\d.]*-\d[\d.]* K)", r"typically \1 (judgement)"),
    (r"physics\.md \(EnergyPlus; ", "EnergyPlus cooling tower model ("),
    (r"physics\.md \(EnergyPlus\)", "EnergyPlus cooling tower model"),
    (r"without chillers most of the year \(physics\.md\)",
     "without chillers most of the year (ASHRAE Thermal Guidelines 5th ed., liquid classes)"),
    (r"\(physics\.md judgement\)", "(judgement)"),
    (r"physics\.md judgement", "judgement"),
    (r",\s*physics\.md\)", ")"),
    (r"\s*\(physics\.md\)", ""),
    (r";\s*physics\.md\b", "; judgement"),
    (r"physics\.md", "judgement"),
    (r"DESIGN\.md default", "coolshift default (judgement)"),
    (r"DESIGN\.md", "judgement"),
    (r",\s*thermal\.coolants\b", ""),
    (r"\s*\(thermal\.describe\)", ""),
    (r"EnergyPlus datasets/Chillers\.idf", "DOE-2 chiller curve data set of EnergyPlus"),
    # grid factors and tariffs
    (r"\s*\(reference/kpis-policy\.md\)", ""),
    (r"reference/kpis-policy\.md \(NDRC 2021 ratio rule\)", "NDRC 2021 TOU notice (ratio rule)"),
    (r"reference/china_tou_tariffs\.md:\s*", "the notice's "),
    (r"T&D matches NDRC 1077", "its T&D charge matches NDRC 发改价格〔2026〕1077号"),
    # climate normals
    (r"\s*\((?:thermal/data/|reference/)?china_climate_normals\.(?:csv|md)\)",
     " (CSWD monthly normals)"),
    (r"(?:thermal/data/|reference/)?china_climate_normals\.(?:csv|md)", "CSWD monthly normals"),
    # documentation pages: the facts they hold are cited where the report uses them
    (r"\s*\((?:[\w ]+ )?in docs/[\w./-]+\)", ""),
    (r"\s*\(docs/[\w./-]+\)", ""),
    (r"(?<![\w/.])docs/[\w./-]+", "the coolshift documentation"),
    (r"\s*\(reference/[\w./-]+\)", ""),
    (r"(?<![\w/.])reference/[\w./-]+", "coolshift's reference sheets"),
)
_REWRITES = tuple((re.compile(p), r) for p, r in REWRITES)
#: What must never reach a report's text (tests read every rendered format with it).
INTERNAL = re.compile(
    r"\b[\w-]+\.(?:md|py|idf)\b|(?<![\w/.])(?:reference|docs|thermal|scenarios|optimizer)/"
    r"|\b(?:thermal|scenarios|optimizer|reports)\.[a-z_]+\b|china_climate_normals"
    r"|\[(?:V1|V2|N|U)[\],]")


def _tag(match: re.Match) -> str:
    words = TAGS[match.group(1)]
    return f"({words}; {match.group(2)})" if match.group(2) else f"({words})"


def public_text(text: str) -> str:
    """``text`` with every internal file and provenance tag said publicly."""
    if not text:
        return text
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return _TAG.sub(_tag, text)


#: Anything a rewrite, a tag or a marker could match (a quick first test of user text).
_ANY = re.compile("|".join([*(f"(?:{p})" for p, _ in REWRITES), _TAG.pattern,
                            *(f"(?:{m})" for p in PUBLICATIONS for m in p.markers)]))


def _names_only_a_source(text: str) -> bool:
    """The whole of ``text`` is one publication's marker ("TMY3", "pvlib"): an identifier
    the sources use too, not free text to keep out of the citations."""
    return any(re.fullmatch(m, text) for p in PUBLICATIONS for m in p.markers)


@dataclass(frozen=True)
class _Guard:
    """The user's strings that must come through the citation passes unchanged, longest
    first, each with a placeholder no rewrite or marker can match (private-use
    characters, not word characters)."""

    quoted: tuple[str, ...] = ()

    @classmethod
    def of(cls, user_text: Iterable[str]) -> _Guard:
        maybe = {s for s in user_text if s and _ANY.search(s)}  # one regex pass first
        keep = {s for s in maybe if not _names_only_a_source(s)
                and (public_text(s) != s or cited([s]))}
        return cls(tuple(sorted(keep, key=lambda s: (-len(s), s))))

    @staticmethod
    def _placeholder(i: int) -> str:
        """The i-th string's stand-in: its number in private-use hex digits between two
        private-use marks (any count, and nothing a rewrite or a marker matches)."""
        return "\ue000" + "".join(chr(0xE100 + int(d, 16)) for d in f"{i:x}") + "\ue001"

    def _hide(self, text: str) -> str:
        for i, s in enumerate(self.quoted):
            text = text.replace(s, self._placeholder(i))
        return text

    def public(self, text: str) -> str:
        """:func:`public_text` of everything in ``text`` but the user's strings."""
        if not self.quoted or not text:
            return public_text(text)
        shown = public_text(self._hide(text))
        for i, s in enumerate(self.quoted):
            shown = shown.replace(self._placeholder(i), s)
        return shown

    def cited_texts(self, all_text: Iterable[str]) -> Iterator[str]:
        """The texts without the user's strings (what may cite a publication)."""
        return (self._hide(t) for t in all_text)


def _cell(cell: doc.Cell, guard: _Guard) -> doc.Cell:
    shown = guard.public(cell.text)
    if shown == cell.text:
        return cell
    value = shown if isinstance(cell.value, str) else cell.value
    return doc.Cell(value, shown, cell.number_format)


def _block(block, guard: _Guard):
    public = guard.public
    if isinstance(block, doc.Paragraph):
        return replace(block, text=public(block.text))
    if isinstance(block, doc.Bullets):
        return replace(block, items=[public(i) for i in block.items])
    if isinstance(block, doc.Subheading):
        return replace(block, text=public(block.text))
    if isinstance(block, doc.Table):
        return replace(block, title=public(block.title), note=public(block.note),
                       rows=[[_cell(c, guard) for c in row] for row in block.rows])
    if isinstance(block, doc.Figure):
        return replace(block, title=public(block.title), caption=public(block.caption))
    return block


def texts(report: doc.Report) -> Iterator[str]:
    """Every text of a report (titles, paragraphs, cells, captions, notes)."""
    yield report.title
    yield report.subtitle
    for section in report.sections:
        yield section.title
        for b in section.blocks:
            if isinstance(b, (doc.Paragraph, doc.Subheading)):
                yield b.text
            elif isinstance(b, doc.Bullets):
                yield from b.items
            elif isinstance(b, doc.Table):
                yield b.title
                yield b.note
                yield from (c.header for c in b.columns)
                yield from (c.text for row in b.rows for c in row)
            elif isinstance(b, doc.Figure):
                yield b.title
                yield b.caption


def cited(all_text: Iterable[str]) -> list[Publication]:
    """The publications whose markers occur in the texts, in :data:`PUBLICATIONS` order."""
    joined = "\n".join(all_text)
    return [p for p in PUBLICATIONS if any(re.search(m, joined) for m in p.markers)]


def references_section(report: doc.Report, user_text: Iterable[str] = (),
                       guard: _Guard | None = None) -> doc.Section | None:
    """Every publication the report cites, once (None when it cites none); a mention
    only inside ``user_text`` (what the user wrote; or its ``guard``, already made) does
    not count."""
    guard = _Guard.of(user_text) if guard is None else guard
    found = cited(guard.cited_texts(texts(report)))
    if not found:
        return None
    table = doc.Table(
        "references", "Publications cited in this report",
        [doc.Column("Cited as", width=1.5), doc.Column("Publication", width=4.5)],
        [[doc.text(p.cited_as), doc.text(p.reference)] for p in found], font_scale=0.9,
        note="Sources of the data, defaults and rules the report uses, as publications; a "
             "value marked 'judgement' is coolshift's engineering judgement within the "
             "ranges these give.")
    return doc.Section("References", [table], new_page=False, anchor="references")


#: Keys of a scenario whose values are paths the user gave (files read by the run).
PATH_KEYS = frozenset({"file", "csv", "jobs", "climate"})


def user_strings(*objects) -> list[str]:
    """What the user wrote in ``objects``, for :func:`cite_report`'s ``user_text``: plain
    strings and paths as they are; of a scenario only
    its name, description, site and pod names and the paths it reads, never its notes,
    assumptions or labels (provenance given to be cited, and the built-in examples'
    source notes are coolshift's own); nested lists and tuples are walked."""
    out: list[str] = []
    stack = list(objects)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, PurePath):
            out.append(str(item))
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, Scenario):
            out += _scenario_text(item)
    return out


def _scenario_text(scenario) -> list[str]:
    """A scenario's user-written names and the paths it reads (module doc)."""
    out = [scenario.name, scenario.description, scenario.site.name,
           *(pod.name for pod in scenario.pods)]
    stack: list = [scenario.model_dump(exclude_defaults=True)]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in PATH_KEYS and isinstance(value, str):
                    out += [value, PurePath(value).name]
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return out


def cite_report(report: doc.Report, user_text: Iterable[str] = ()) -> doc.Report:
    """Say every source of ``report`` publicly and add the references at the end (in place;
    returns the report).

    Parameters
    ----------
    report : Report
    user_text : iterable of str
        What the user wrote (names, descriptions, paths; :func:`user_strings`): quoted as
        written wherever it occurs, and not read for citations.
    """
    guard = _Guard.of(user_text)
    report.title = guard.public(report.title)
    report.subtitle = guard.public(report.subtitle)
    for section in report.sections:
        section.title = guard.public(section.title)
        section.blocks = [_block(b, guard) for b in section.blocks]
    refs = references_section(report, guard=guard)
    if refs is not None:
        report.sections.append(refs)
    return report


__all__ = ["INTERNAL", "PUBLICATIONS", "Publication", "cite_report", "cited", "public_text",
           "references_section", "texts", "user_strings"]
