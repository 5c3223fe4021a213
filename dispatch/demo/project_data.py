"""The demo city's key reduction projects (data only; seeded by dispatch.demo.projects).

Each entry is one project as a district would file it: the owner is an index into
dispatch.demo.ENTERPRISES or, for public works, the name of the responsible government
unit. Parameters are the method's sample (dispatch.projects.samples) scaled by `scale`,
with `params` overriding single keys. `status` is the plan status the seed drives the
project to through the services; `progress` says how construction goes against the plan
("track": on schedule; "late": stuck under construction, so overdue once its planned
completion has passed; "none": not started). `reason` is the return / withdrawal /
change-request reason; `first_return` the reason of a first return before approval.

The table is written as if the current year were ``REFERENCE_YEAR``: entries of that year
are the current plan list, the few of the year before are last year's carry-overs and
closed-out projects. :func:`in_year` moves every date by whole years, so whatever year the
clock says, the plan list is that year's. No date falls on 29 February, and the texts name
no year. The table is exempt from the formatter so that it stays one screen per district.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

REFERENCE_YEAR = 2026


class DemoProject(NamedTuple):
    district: str  # division code
    type_code: str
    name: str
    owner: int | str  # ENTERPRISES index, or a government unit for public works
    address: str
    lon: str
    lat: str
    year: int
    start: dt.date
    end: dt.date
    total: str  # 万元
    env: str  # 万元
    status: str  # a PlanStatus value
    progress: str = "track"  # track | late | none
    scale: Decimal = Decimal(1)
    method: str | None = None  # None: the type's DEFAULT_METHOD
    reason: str = ""
    params: dict[str, Any] | None = None
    change: dict[str, Any] | None = None  # fields of a pending change request
    via_request: bool = False  # withdrawn through the district's request, not by the city
    first_return: str = ""  # returned once with this reason, then fixed and approved


def _moved(value: Any, years: int) -> Any:
    return value.replace(year=value.year + years) if isinstance(value, dt.date) else value


def in_year(spec: DemoProject, year: int) -> DemoProject:
    """``spec`` with its plan year and every date moved so that REFERENCE_YEAR is ``year``."""
    years = year - REFERENCE_YEAR
    if years == 0:
        return spec
    change = {k: _moved(v, years) for k, v in spec.change.items()} if spec.change else None
    return spec._replace(
        year=spec.year + years,
        start=_moved(spec.start, years),
        end=_moved(spec.end, years),
        change=change,
    )


D = dt.date
S = Decimal

# Both change requests stay pending, so the city has something to decide in the demo.
# fmt: off
PROJECTS: tuple[DemoProject, ...] = (
    # 历下区（区县用户 lixia）
    DemoProject("370102", "A2", "济南历下热力有限公司燃气锅炉低氮改造工程", 0,
                "历下区解放路 88 号", "117.0532", "36.6668", 2026,
                D(2026, 3, 1), D(2026, 9, 30), "860", "860", "approved",
                method="flue_gas", scale=S("0.12")),
    DemoProject("370102", "A2", "济南历下热力有限公司燃煤锅炉淘汰工程", 0,
                "历下区解放路 88 号", "117.0540", "36.6675", 2026,
                D(2026, 4, 1), D(2026, 12, 31), "1200", "1150", "approved",
                scale=S("0.6")),
    DemoProject("370102", "A4", "济南泉城印务有限公司低VOCs油墨源头替代工程", 1,
                "历下区经十路 12 号", "117.0315", "36.6552", 2026,
                D(2026, 4, 1), D(2026, 8, 31), "320", "320", "approved",
                progress="late", scale=S("0.4"),
                params={"materials": [
                    {"name": "溶剂型凹印油墨替代为水性油墨", "use_before": "48",
                     "voc_before": "60", "use_after": "50", "voc_after": "10"}]},
                change={"planned_completion": D(2026, 12, 31), "total_investment": "380",
                        "env_investment": "380"},
                reason="水性油墨供应商产能不足，设备调试推迟，申请计划完工日期顺延至"
                "年底，总投资调整为380万元"),
    DemoProject("370102", "W2", "济南东郊污水处理有限公司提标改造工程", 2,
                "历下区东郊工业园 3 号", "117.1265", "36.6893", 2025,
                D(2025, 1, 6), D(2025, 4, 15), "4600", "4600", "closed",
                scale=S("0.8")),
    DemoProject("370102", "W3", "历下区东部片区雨污分流及污水管网完善工程",
                "济南市历下区住房和城乡建设局", "历下区姚家街道、龙洞街道", "117.1102", "36.6487",
                2026, D(2026, 2, 10), D(2026, 5, 31), "6800", "6800", "approved",
                progress="late", scale=S("0.5")),
    DemoProject("370102", "A6", "历下区国三及以下排放标准柴油货车淘汰工程",
                "济南市生态环境局历下分局", "历下区辖区", "117.0766", "36.6662", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "900", "900", "returned",
                progress="none", scale=S("0.3"),
                reason="淘汰车辆清单未附车辆号牌和注销计划，年均行驶里程缺少依据，请补充后重新提交"),
    # 市中区（区县用户 shizhong）
    DemoProject("370103", "A4", "济南市中汽车维修有限公司水性漆源头替代工程", 3,
                "市中区英雄山路 45 号", "116.9962", "36.6398", 2026,
                D(2026, 3, 15), D(2026, 7, 31), "150", "150", "approved",
                params={"materials": [
                    {"name": "溶剂型汽车修补漆替代为水性漆", "use_before": "12",
                     "voc_before": "65", "use_after": "13", "voc_after": "12"}]}),
    DemoProject("370103", "A5", "济南市中汽车维修有限公司喷烤漆房废气治理工程", 3,
                "市中区英雄山路 45 号", "116.9968", "36.6402", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "90", "90", "approved",
                scale=S("0.1")),
    DemoProject("370103", "A2", "济南南郊热电有限公司燃煤锅炉脱硝提效改造工程", 4,
                "市中区二环南路 201 号", "116.9850", "36.6130", 2026,
                D(2026, 2, 20), D(2026, 10, 31), "2800", "2800", "approved",
                method="flue_gas", scale=S("0.8"),
                change={"params": {"gas_flow": "450000", "nox_before": "150", "nox_after": "45",
                                   "hours": "7920"}},
                reason="经第三方检测机构复测，实际标态烟气量为45万Nm³/h，改造后设计出口浓度"
                "调整为45mg/Nm³，申请调整核算参数"),
    DemoProject("370103", "A5", "济南兴济涂装有限公司涂装线VOCs收集与RTO治理工程", 5,
                "市中区党家街道工业路 9 号", "116.9527", "36.5710", 2026,
                D(2026, 1, 10), D(2026, 5, 20), "1350", "1350", "approved",
                progress="late", scale=S("1.2")),
    DemoProject("370103", "A7", "市中区党家街道清洁取暖煤改电工程", "济南市市中区党家街道办事处",
                "市中区党家街道 12 个村", "116.9472", "36.5832", 2026,
                D(2026, 4, 1), D(2026, 10, 31), "2400", "2400", "approved",
                scale=S("0.4")),
    DemoProject("370103", "W3", "市中区七里山片区雨污分流改造工程", "济南市市中区住房和城乡建设局",
                "市中区七里山街道、六里山街道", "117.0105", "36.6425", 2026,
                D(2026, 3, 15), D(2026, 11, 30), "3600", "3600", "approved",
                scale=S("0.35"),
                first_return="雨污混接点排查清单不完整，请补充后重新提交"),
    DemoProject("370103", "W7", "市中区十六里河街道农村生活污水治理工程",
                "济南市市中区农业农村局", "市中区十六里河街道 8 个村", "117.0195", "36.5908",
                2026, D(2026, 3, 1), D(2026, 12, 31), "1800", "1800", "submitted",
                progress="none", scale=S("0.9")),
    # 槐荫区
    DemoProject("370104", "W1", "济南西客站水务有限公司污水处理厂三期扩建工程", 7,
                "槐荫区齐州路 300 号", "116.8783", "36.6712", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "18500", "18500", "approved",
                scale=S("1.5")),
    DemoProject("370104", "W4", "济南槐荫化工有限公司废水深度处理工程", 6,
                "槐荫区美里湖工业区 6 号", "116.9044", "36.7015", 2025,
                D(2025, 1, 5), D(2025, 4, 10), "1600", "1600", "closed",
                scale=S("0.7")),
    DemoProject("370104", "A4", "济南腊山家具有限公司水性涂料替代工程", 8,
                "槐荫区腊山河西路 18 号", "116.9181", "36.6420", 2026,
                D(2026, 4, 1), D(2026, 12, 31), "210", "210", "draft",
                progress="none", scale=S("0.3")),
    DemoProject("370104", "W3", "槐荫区美里湖片区污水收集管网建设工程",
                "济南市槐荫区住房和城乡建设局", "槐荫区美里湖街道", "116.8950", "36.7080", 2026,
                D(2026, 3, 1), D(2026, 11, 30), "5200", "5200", "approved",
                scale=S("0.6"),
                first_return="管网长度与新增收水量缺少设计文件支撑，请补充初步设计批复后重新提交"),
    DemoProject("370104", "A5", "济南槐荫化工有限公司储罐区VOCs综合治理工程", 6,
                "槐荫区美里湖工业区 6 号", "116.9050", "36.7021", 2026,
                D(2026, 3, 1), D(2026, 9, 30), "1450", "1450", "approved",
                scale=S("0.8")),
    # 天桥区
    DemoProject("370105", "W3", "天桥区北部片区雨污分流改造工程", "济南市天桥区住房和城乡建设局",
                "天桥区北园街道、泺口街道", "116.9905", "36.7120", 2025,
                D(2025, 7, 1), D(2026, 4, 30), "5400", "5400", "approved",
                scale=S("0.45")),
    DemoProject("370105", "W4", "济南泺口纺织有限公司印染废水中水回用工程", 11,
                "天桥区泺口南路 7 号", "116.9953", "36.7261", 2026,
                D(2026, 2, 15), D(2026, 8, 31), "980", "980", "approved",
                method="reuse", scale=S("1.5")),
    DemoProject("370105", "A5", "济南北园包装印刷有限公司印刷废气沸石转轮+RTO治理工程", 10,
                "天桥区北园大街 510 号", "117.0087", "36.6905", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "680", "680", "returned",
                progress="none", scale=S("0.5"),
                reason="治理前收集率和去除率缺少监测报告支撑，请补充现状监测数据后重新提交"),
    DemoProject("370105", "A4", "济南天桥钢结构有限公司钢结构涂装低VOCs涂料替代工程", 9,
                "天桥区桑梓店工业园 2 号", "116.9520", "36.8130", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "260", "260", "submitted",
                progress="none", scale=S("0.5")),
    DemoProject("370105", "A6", "天桥区老旧柴油货车淘汰更新工程", "济南市天桥区交通运输局",
                "天桥区辖区", "116.9870", "36.7210", 2026,
                D(2026, 3, 1), D(2026, 11, 30), "1500", "1500", "approved",
                scale=S("0.6")),
    # 历城区
    DemoProject("370112", "A1", "济南历城水泥有限公司水泥窑超低排放改造工程", 12,
                "历城区柳埠镇工业路 1 号", "117.1270", "36.4410", 2025,
                D(2025, 1, 15), D(2025, 3, 31), "5600", "5600", "approved",
                progress="late", scale=S("0.5")),
    DemoProject("370112", "A1", "济南华山石化有限公司催化裂化装置烟气脱硝改造工程", 13,
                "历城区华山街道 66 号", "117.0631", "36.7183", 2025,
                D(2025, 6, 1), D(2026, 3, 31), "4200", "4200", "approved",
                scale=S("0.6")),
    DemoProject("370112", "A5", "济南华山石化有限公司储罐及装卸VOCs综合治理工程", 13,
                "历城区华山街道 66 号", "117.0625", "36.7190", 2026,
                D(2026, 1, 10), D(2026, 4, 30), "3200", "3200", "approved",
                scale=S("2")),
    DemoProject("370112", "A2", "济南王舍人热电有限公司燃煤锅炉关停淘汰工程", 14,
                "历城区王舍人街道 22 号", "117.1530", "36.7248", 2026,
                D(2026, 4, 1), D(2026, 12, 31), "3500", "3300", "withdrawn",
                progress="none", scale=S("2.5"), via_request=True,
                reason="企业整体搬迁，锅炉淘汰纳入下一年度搬迁改造项目统筹实施，申请调出本年度计划"),
    DemoProject("370112", "W7", "历城区柳埠街道农村生活污水治理工程", "济南市历城区农业农村局",
                "历城区柳埠街道 15 个村", "117.1332", "36.4520", 2026,
                D(2026, 3, 1), D(2026, 10, 31), "2600", "2600", "approved",
                scale=S("1.4")),
    DemoProject("370112", "A7", "历城区唐王街道清洁取暖气代煤工程", "济南市历城区住房和城乡建设局",
                "历城区唐王街道 20 个村", "117.2010", "36.8105", 2026,
                D(2026, 4, 1), D(2026, 12, 31), "4300", "4300", "draft",
                progress="none", scale=S("0.8"), params={"gas_per_household": "800"}),
    # 长清区
    DemoProject("370113", "A1", "济南长清玻璃有限公司玻璃熔窑脱硝超低排放改造工程", 15,
                "长清区平安街道 99 号", "116.7912", "36.5790", 2026,
                D(2026, 3, 1), D(2026, 9, 30), "3900", "3900", "approved",
                scale=S("0.3")),
    DemoProject("370113", "W2", "济南大学城污水处理有限公司提标改造工程", 16,
                "长清区大学路 1 号", "116.8120", "36.5570", 2026,
                D(2026, 2, 1), D(2026, 9, 30), "3600", "3600", "approved",
                scale=S("0.6")),
    DemoProject("370113", "W6", "济南崮云湖牧业有限公司生猪养殖粪污资源化利用工程", 17,
                "长清区崮云湖街道 15 号", "116.8602", "36.5120", 2025,
                D(2025, 1, 8), D(2025, 4, 20), "760", "760", "closed",
                scale=S("0.8")),
    DemoProject("370113", "W7", "长清区孝里镇农村生活污水治理工程", "济南市长清区农业农村局",
                "长清区孝里镇 11 个村", "116.6510", "36.4720", 2026,
                D(2026, 3, 15), D(2026, 12, 31), "1900", "1900", "returned",
                progress="none", scale=S("1.1"),
                reason="服务人口与村庄清单不一致，污水收集率取值偏高，请核实后修改"),
    # 章丘区
    DemoProject("370114", "A1", "济南章丘焦化有限公司焦炉烟气脱硫脱硝超低排放改造工程", 18,
                "章丘区刁镇工业园 8 号", "117.4235", "36.8280", 2026,
                D(2026, 1, 6), D(2026, 5, 10), "7800", "7800", "approved",
                scale=S("0.7")),
    DemoProject("370114", "W4", "济南章丘焦化有限公司焦化废水深度处理工程", 18,
                "章丘区刁镇工业园 8 号", "117.4241", "36.8271", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "2300", "2300", "submitted",
                progress="none", scale=S("0.9")),
    DemoProject("370114", "A3", "济南明水铸造有限公司冲天炉烟气脱硝治理工程", 19,
                "章丘区明水经济开发区 20 号", "117.5320", "36.7105", 2025,
                D(2025, 2, 1), D(2025, 5, 15), "1100", "1100", "approved",
                progress="late", scale=S("0.15")),
    DemoProject("370114", "A5", "济南圣井汽车零部件有限公司喷涂废气治理工程", 20,
                "章丘区圣井街道 36 号", "117.3612", "36.6950", 2026,
                D(2026, 4, 1), D(2026, 10, 31), "420", "420", "withdrawn",
                progress="none", scale=S("0.4"),
                reason="企业喷涂生产线已停产并拆除，项目不再实施，由市局调出计划清单"),
    DemoProject("370114", "A7", "章丘区刁镇清洁取暖煤改电工程", "济南市章丘区住房和城乡建设局",
                "章丘区刁镇 18 个村", "117.4150", "36.8402", 2026,
                D(2026, 4, 1), D(2026, 10, 31), "5100", "5100", "approved",
                scale=S("1.5")),
    # 济阳区
    DemoProject("370115", "W5", "济阳区济北开发区污水集中处理厂扩建工程", 23,
                "济阳区开元大街 88 号", "117.1980", "36.9630", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "9800", "9800", "approved",
                scale=S("0.6"), params={"cod_in": "380", "nh3n_in": "35"}),
    DemoProject("370115", "W6", "济南黄河奶牛养殖有限公司粪污处理设施提升工程", 22,
                "济阳区太平街道 3 号", "117.0905", "36.9570", 2026,
                D(2026, 3, 1), D(2026, 8, 31), "650", "650", "approved",
                params={"species": "dairy_cow", "head_count": "1500"}),
    DemoProject("370115", "W4", "济南济阳食品有限公司生产废水治理工程", 21,
                "济阳区济北开发区 5 号", "117.2012", "36.9785", 2026,
                D(2026, 4, 1), D(2026, 12, 31), "380", "380", "draft",
                progress="none", scale=S("0.5")),
    DemoProject("370115", "W3", "济阳区城区污水管网建设工程", "济南市济阳区住房和城乡建设局",
                "济阳区济阳街道、济北街道", "117.1765", "36.9780", 2025,
                D(2025, 1, 10), D(2025, 4, 30), "4800", "4800", "closed",
                scale=S("0.4")),
    # 莱芜区
    DemoProject("370116", "A1", "济南莱芜钢铁有限公司烧结机烟气超低排放改造工程", 24,
                "莱芜区钢城大街 1 号", "117.6720", "36.2150", 2026,
                D(2026, 3, 1), D(2026, 11, 30), "12600", "12600", "approved",
                scale=S("1.6")),
    DemoProject("370116", "W4", "济南莱芜化工有限公司高耗水生产线关停工程", 25,
                "莱芜区口镇工业园 12 号", "117.5830", "36.3205", 2026,
                D(2026, 1, 15), D(2026, 3, 31), "260", "120", "approved",
                method="closure", scale=S("1.5")),
    DemoProject("370116", "W6", "济南莱芜蛋鸡养殖有限公司粪污治理工程", 26,
                "莱芜区高庄街道 9 号", "117.6103", "36.1920", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "540", "540", "returned",
                progress="none", params={"species": "layer", "head_count": "300000"},
                reason="存栏量未附养殖台账，治理前去除率取值依据不足，请补充资料"),
    DemoProject("370116", "A6", "莱芜区非道路移动机械淘汰工程", "济南市生态环境局莱芜分局",
                "莱芜区辖区", "117.6760", "36.2140", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "600", "600", "submitted",
                progress="none",
                params={"fleet": [
                    {"category": "nonroad_machinery", "standard": "china2", "count": "120",
                     "annual_km": "8000", "nox_factor": "12.0", "voc_factor": "1.2"},
                    {"category": "heavy_diesel_truck", "standard": "china3", "count": "60",
                     "annual_km": "50000", "nox_factor": "8.0", "voc_factor": "0.5"}]}),
    # 钢城区
    DemoProject("370117", "A3", "济南钢城特钢有限公司轧钢加热炉低氮燃烧改造工程", 27,
                "钢城区艾山街道 2 号", "117.8105", "36.0590", 2026,
                D(2026, 2, 1), D(2026, 8, 31), "2100", "2100", "approved",
                scale=S("0.4")),
    DemoProject("370117", "A3", "济南钢城耐火材料有限公司燃煤倒焰窑淘汰工程", 28,
                "钢城区里辛街道 17 号", "117.7720", "36.1050", 2026,
                D(2026, 1, 20), D(2026, 4, 30), "480", "420", "approved",
                method="fuel_elimination", scale=S("0.5")),
    DemoProject("370117", "W4", "济南钢城特钢有限公司轧钢废水循环利用工程", 27,
                "钢城区艾山街道 2 号", "117.8112", "36.0596", 2026,
                D(2026, 4, 1), D(2026, 10, 31), "1300", "1300", "approved",
                scale=S("0.6")),
    # 平阴县
    DemoProject("370124", "A2", "济南平阴阿胶有限公司燃煤锅炉煤改气工程", 29,
                "平阴县榆山街道 6 号", "116.4520", "36.2890", 2026,
                D(2026, 4, 1), D(2026, 10, 15), "560", "560", "approved",
                scale=S("0.3")),
    DemoProject("370124", "A3", "济南平阴陶瓷有限公司辊道窑烟气脱硝工程", 30,
                "平阴县孔村镇 28 号", "116.3905", "36.1960", 2026,
                D(2026, 4, 1), D(2026, 12, 31), "730", "730", "draft",
                progress="none", scale=S("0.1")),
    DemoProject("370124", "W5", "平阴县工业园区污水处理厂提标改造工程",
                "平阴县工业园区管理委员会", "平阴县工业园区", "116.4710", "36.3010", 2026,
                D(2026, 2, 15), D(2026, 9, 30), "2900", "2900", "approved",
                method="plant_upgrade", scale=S("0.4")),
    # 商河县
    DemoProject("370126", "W1", "济南商河城区污水处理有限公司二期扩建工程", 33,
                "商河县许商街道 1 号", "117.1580", "37.3120", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "8600", "8600", "approved",
                scale=S("0.75"),
                first_return="设计进出水水质与现状监测数据不一致，请核实后重新提交"),
    DemoProject("370126", "W6", "济南商河生猪养殖有限公司粪污资源化利用工程", 31,
                "商河县玉皇庙镇 11 号", "117.0120", "37.2450", 2025,
                D(2025, 2, 1), D(2025, 5, 31), "890", "890", "approved",
                progress="late", scale=S("1.3")),
    DemoProject("370126", "A4", "济南商河家具涂装有限公司水性漆替代工程", 32,
                "商河县经济开发区 40 号", "117.1710", "37.2980", 2026,
                D(2026, 3, 1), D(2026, 12, 31), "240", "240", "submitted",
                progress="none", scale=S("0.35")),
    DemoProject("370126", "W7", "商河县玉皇庙镇农村生活污水治理工程", "商河县农业农村局",
                "商河县玉皇庙镇 16 个村", "117.0230", "37.2530", 2026,
                D(2026, 3, 10), D(2026, 10, 31), "2100", "2100", "approved",
                scale=S("1.2")),
    DemoProject("370126", "A7", "商河县清洁取暖散煤替代工程", "商河县住房和城乡建设局",
                "商河县殷巷镇、怀仁镇", "117.2320", "37.3560", 2026,
                D(2026, 4, 1), D(2026, 10, 31), "6200", "6200", "approved",
                scale=S("2")),
)
# fmt: on
