"""Demo city: Jinan (济南市) in Shandong, its districts, enterprises and demo accounts.

Idempotent: every object is looked up by its natural key first, so a second run changes
nothing (and writes no audit events).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.orgs import accounts
from dispatch.orgs import services as orgs
from models import Enterprise, Region, RegionKind, Role, User
from models.orgs import USCC_ALPHABET, uscc_check_char

DEMO_PASSWORD = "Demo@2025!"  # noqa: S105 (published demo password)

PROVINCE = ("山东省", "370000")
CITY = ("济南市", "370100")
DISTRICTS = [
    ("历下区", "370102"),
    ("市中区", "370103"),
    ("槐荫区", "370104"),
    ("天桥区", "370105"),
    ("历城区", "370112"),
    ("长清区", "370113"),
    ("章丘区", "370114"),
    ("济阳区", "370115"),
    ("莱芜区", "370116"),
    ("钢城区", "370117"),
    ("平阴县", "370124"),
    ("商河县", "370126"),
]

# (district code, name, industry, address)
ENTERPRISES = [
    ("370102", "济南历下热力有限公司", "热力生产和供应", "历下区解放路 88 号"),
    ("370102", "济南泉城印务有限公司", "印刷", "历下区经十路 12 号"),
    ("370102", "济南东郊污水处理有限公司", "污水处理", "历下区东郊工业园 3 号"),
    ("370103", "济南市中汽车维修有限公司", "汽车修理", "市中区英雄山路 45 号"),
    ("370103", "济南南郊热电有限公司", "热电联产", "市中区二环南路 201 号"),
    ("370103", "济南兴济涂装有限公司", "金属表面涂装", "市中区党家街道工业路 9 号"),
    ("370104", "济南槐荫化工有限公司", "化学原料制造", "槐荫区美里湖工业区 6 号"),
    ("370104", "济南西客站水务有限公司", "污水处理", "槐荫区齐州路 300 号"),
    ("370104", "济南腊山家具有限公司", "家具制造", "槐荫区腊山河西路 18 号"),
    ("370105", "济南天桥钢结构有限公司", "金属结构制造", "天桥区桑梓店工业园 2 号"),
    ("370105", "济南北园包装印刷有限公司", "包装装潢印刷", "天桥区北园大街 510 号"),
    ("370105", "济南泺口纺织有限公司", "纺织", "天桥区泺口南路 7 号"),
    ("370112", "济南历城水泥有限公司", "水泥制造", "历城区柳埠镇工业路 1 号"),
    ("370112", "济南华山石化有限公司", "石油化工", "历城区华山街道 66 号"),
    ("370112", "济南王舍人热电有限公司", "热电联产", "历城区王舍人街道 22 号"),
    ("370113", "济南长清玻璃有限公司", "平板玻璃制造", "长清区平安街道 99 号"),
    ("370113", "济南大学城污水处理有限公司", "污水处理", "长清区大学路 1 号"),
    ("370113", "济南崮云湖牧业有限公司", "生猪养殖", "长清区崮云湖街道 15 号"),
    ("370114", "济南章丘焦化有限公司", "炼焦", "章丘区刁镇工业园 8 号"),
    ("370114", "济南明水铸造有限公司", "铸造", "章丘区明水经济开发区 20 号"),
    ("370114", "济南圣井汽车零部件有限公司", "汽车零部件制造", "章丘区圣井街道 36 号"),
    ("370115", "济南济阳食品有限公司", "食品制造", "济阳区济北开发区 5 号"),
    ("370115", "济南黄河奶牛养殖有限公司", "奶牛养殖", "济阳区太平街道 3 号"),
    ("370115", "济南济北污水处理有限公司", "污水处理", "济阳区开元大街 88 号"),
    ("370116", "济南莱芜钢铁有限公司", "钢铁冶炼", "莱芜区钢城大街 1 号"),
    ("370116", "济南莱芜化工有限公司", "化学原料制造", "莱芜区口镇工业园 12 号"),
    ("370116", "济南莱芜蛋鸡养殖有限公司", "蛋鸡养殖", "莱芜区高庄街道 9 号"),
    ("370117", "济南钢城特钢有限公司", "钢铁冶炼", "钢城区艾山街道 2 号"),
    ("370117", "济南钢城耐火材料有限公司", "耐火材料制造", "钢城区里辛街道 17 号"),
    ("370124", "济南平阴阿胶有限公司", "中药制造", "平阴县榆山街道 6 号"),
    ("370124", "济南平阴陶瓷有限公司", "陶瓷制造", "平阴县孔村镇 28 号"),
    ("370126", "济南商河生猪养殖有限公司", "生猪养殖", "商河县玉皇庙镇 11 号"),
    ("370126", "济南商河家具涂装有限公司", "家具制造", "商河县经济开发区 40 号"),
    ("370126", "济南商河城区污水处理有限公司", "污水处理", "商河县许商街道 1 号"),
]

# (username, display name, role, organisation: division code or enterprise index)
ACCOUNTS = [
    # 三员: system administrator, security officer, auditor (seeded as the system, as the
    # command line would: no officer account can be made on the web pages).
    ("admin", "平台管理员", Role.ADMIN, "370100"),
    ("security", "安全管理员", Role.SECURITY, "370100"),
    ("auditor", "安全审计员", Role.AUDITOR, "370100"),
    ("city", "市局审核员", Role.CITY, "370100"),
    ("lixia", "历下分局", Role.DISTRICT, "370102"),
    ("shizhong", "市中分局", Role.DISTRICT, "370103"),
    ("ent_lixia", "历下热力填报员", Role.ENTERPRISE, 0),
    ("ent_shizhong", "市中汽修填报员", Role.ENTERPRISE, 3),
]


def demo_uscc(division_code: str, index: int) -> str:
    """A well-formed credit code for a demo enterprise (correct check character)."""
    org_code = (
        "MA"
        + "".join(USCC_ALPHABET[(index * 7 + k * 3) % len(USCC_ALPHABET)] for k in range(6))
        + str(index % 10)
    )
    first17 = "91" + division_code + org_code
    return first17 + uscc_check_char(first17)


def _region(
    session: Session,
    acting: Acting,
    name: str,
    code: str,
    kind: RegionKind,
    parent: Region | None,
) -> Region:
    found = session.scalar(select(Region).where(Region.division_code == code))
    if found is not None:
        return found
    return orgs.create_region(
        session, acting, name=name, division_code=code, kind=kind, parent=parent
    )


def seed_demo_orgs(session: Session, *, now: dt.datetime) -> dict[str, int]:
    """Create whatever part of the demo city's organisations and accounts is missing;
    returns counts of what was created. The system acts, at ``now``, from no address."""
    system = Acting(user=None, at=now, remote_addr="")
    created = {"regions": 0, "enterprises": 0, "users": 0}
    before = session.scalar(select(Region.id).where(Region.division_code == CITY[1]))
    province = _region(session, system, *PROVINCE, RegionKind.PROVINCE, None)
    city = _region(session, system, *CITY, RegionKind.CITY, province)
    districts = {
        code: _region(session, system, name, code, RegionKind.DISTRICT, city)
        for name, code in DISTRICTS
    }
    if before is None:
        created["regions"] = 2 + len(districts)

    enterprises: list[Enterprise] = []
    for index, (code, name, industry, address) in enumerate(ENTERPRISES):
        uscc = demo_uscc(code, index)
        found = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
        if found is None:
            found = orgs.create_enterprise(
                session,
                system,
                name=name,
                uscc=uscc,
                district=districts[code],
                address=address,
                industry=industry,
                permit_number=f"{uscc}001P" if index % 3 == 0 else None,
            )
            created["enterprises"] += 1
        enterprises.append(found)

    regions_by_code = {r.division_code: r for r in (province, city, *districts.values())}
    for username, display, role, org in ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == username)):
            continue
        accounts.create_user(
            session,
            system,
            username=username,
            display_name=display,
            role=role,
            password=DEMO_PASSWORD,
            region=regions_by_code[org] if isinstance(org, str) else None,
            enterprise=enterprises[org] if isinstance(org, int) else None,
            must_change_password=False,
        )
        created["users"] += 1

    return created
