"""Demo people and organisations: a company of about 30 staff and 8 client organisations."""

from __future__ import annotations

from onestop.accounts import services
from onestop.accounts.models import ClientContact, ClientOrganization, Department, Position, User
from onestop.core.roles import Role, role_label

DEMO_PASSWORD = "onestop-demo"

# code, name, parent code, sort order
DEPARTMENTS = [
    ("management", "管理層", None, 10),
    ("rnd", "技術研發部", None, 20),
    ("rnd-software", "軟件開發組", "rnd", 21),
    ("rnd-testing", "系統測試組", "rnd", 22),
    ("customer-service", "客戶服務部", None, 30),
    ("pmo", "項目管理部", None, 40),
    ("quality", "質量管理部", None, 50),
    ("legal", "法務部", None, 60),
    ("finance", "財務部", None, 70),
    ("hr", "人力資源部", None, 80),
    ("archive", "檔案室", None, 90),
    ("it", "信息中心", None, 100),
]

# position name, department code, duties
POSITIONS = [
    ("總經理", "management", "全面負責公司經營管理，審批重大服務方案與合同。"),
    ("副總經理", "management", "分管技術服務業務，審批服務方案。"),
    ("技術總監", "rnd", "負責技術路線與技術規範，擔任方案評審專家。"),
    ("高級工程師", "rnd-software", "承擔核心技術研發，參與需求評估與方案制定。"),
    ("工程師", "rnd-software", "按技術服務方案開展研發與實施。"),
    ("測試工程師", "rnd-testing", "編寫並執行系統測試，出具測試報告。"),
    ("客服主管", "customer-service", "管理客服團隊，督導諮詢受理時效。"),
    ("客服專員", "customer-service", "受理客戶諮詢，詳細記錄需求並及時轉交技術人員。"),
    ("項目經理", "pmo", "組織方案策劃與項目實施，協調資源與客戶溝通。"),
    ("質量工程師", "quality", "按質量監控計劃開展檢查與抽查，跟蹤整改。"),
    ("法務專員", "legal", "起草與審核服務合同。"),
    ("財務主管", "finance", "審核費用結算申請，管理收付款。"),
    ("會計", "finance", "登記收付款與賬務。"),
    ("人事專員", "hr", "招聘、培訓與績效考核。"),
    ("檔案管理員", "archive", "合同原件及技術文檔歸檔保管。"),
    ("系統管理員", "it", "維護 OneStop 系統與權限配置。"),
]

# username, full name, department, position, roles, is_superuser
STAFF = [
    ("admin", "系統管理員", "it", "系統管理員", [Role.SYSTEM_ADMIN], True),
    ("it.cai", "蔡宗翰", "it", "系統管理員", [Role.SYSTEM_ADMIN], False),
    ("mgmt.chen", "陳志明", "management", "總經理", [Role.MANAGEMENT], False),
    ("mgmt.wang", "王麗華", "management", "副總經理", [Role.MANAGEMENT, Role.REVIEWER], False),
    ("expert.zhao", "趙明遠", "rnd", "技術總監", [Role.REVIEWER, Role.TECHNICIAN], False),
    ("tech.zhang", "張偉", "rnd-software", "高級工程師", [Role.TECHNICIAN], False),
    ("tech.li", "李娜", "rnd-software", "高級工程師", [Role.TECHNICIAN, Role.REVIEWER], False),
    ("tech.liu", "劉洋", "rnd-software", "工程師", [Role.TECHNICIAN], False),
    ("tech.huang", "黃俊傑", "rnd-software", "工程師", [Role.TECHNICIAN], False),
    ("tech.ma", "馬志遠", "rnd-software", "工程師", [Role.TECHNICIAN], False),
    ("tech.zeng", "曾凱文", "rnd-software", "工程師", [Role.TECHNICIAN], False),
    ("tech.wu", "吳佩珊", "rnd-testing", "測試工程師", [Role.TECHNICIAN], False),
    ("tech.hu", "胡靜怡", "rnd-testing", "測試工程師", [Role.TECHNICIAN], False),
    ("cs.he", "何美玲", "customer-service", "客服主管", [Role.CUSTOMER_SERVICE], False),
    ("cs.lin", "林雅婷", "customer-service", "客服專員", [Role.CUSTOMER_SERVICE], False),
    ("cs.guo", "郭子豪", "customer-service", "客服專員", [Role.CUSTOMER_SERVICE], False),
    ("pm.zhou", "周建國", "pmo", "項目經理", [Role.PROJECT_LEAD], False),
    ("pm.xu", "徐慧敏", "pmo", "項目經理", [Role.PROJECT_LEAD], False),
    ("pm.sun", "孫浩然", "pmo", "項目經理", [Role.PROJECT_LEAD], False),
    ("pm.peng", "彭曉玲", "pmo", "項目經理", [Role.PROJECT_LEAD, Role.REVIEWER], False),
    ("expert.qian", "錢文博", "rnd", "技術總監", [Role.REVIEWER], False),
    ("qa.gao", "高志強", "quality", "質量工程師", [Role.QUALITY], False),
    ("qa.liang", "梁佳穎", "quality", "質量工程師", [Role.QUALITY], False),
    ("expert.feng", "馮淑芬", "quality", "質量工程師", [Role.QUALITY, Role.REVIEWER], False),
    ("legal.zheng", "鄭家豪", "legal", "法務專員", [Role.LEGAL], False),
    ("legal.xie", "謝欣怡", "legal", "法務專員", [Role.LEGAL], False),
    ("archive.luo", "羅秀英", "archive", "檔案管理員", [Role.ARCHIVE], False),
    ("fin.song", "宋雅琪", "finance", "財務主管", [Role.FINANCE], False),
    ("fin.tang", "唐國華", "finance", "會計", [Role.FINANCE], False),
    ("hr.xu", "許雅雯", "hr", "人事專員", [Role.HR], False),
    ("hr.han", "韓立新", "hr", "人事專員", [Role.HR], False),
]

DEPARTMENT_HEADS = {
    "management": "mgmt.chen",
    "rnd": "expert.zhao",
    "customer-service": "cs.he",
    "pmo": "pm.zhou",
    "quality": "qa.gao",
    "legal": "legal.zheng",
    "finance": "fin.song",
    "hr": "hr.xu",
    "archive": "archive.luo",
    "it": "it.cai",
}

# code, name, kind, industry, city, address, phone, account manager
CLIENTS = [
    (
        "HXZN",
        "華信智能製造股份有限公司",
        "enterprise",
        "智能製造",
        "蘇州",
        "蘇州工業園區星湖街 328 號",
        "0512-6288 1000",
        "cs.lin",
    ),
    (
        "DFLN",
        "東方綠能電力集團",
        "state_owned",
        "能源電力",
        "上海",
        "上海市浦東新區世紀大道 88 號",
        "021-5888 2000",
        "cs.guo",
    ),
    (
        "SJZX",
        "濱江市數據資源管理中心",
        "government",
        "政務數據",
        "杭州",
        "杭州市濱江區江南大道 3850 號",
        "0571-8777 3000",
        "cs.he",
    ),
    (
        "MDDX",
        "明德大學信息工程學院",
        "university",
        "高等教育",
        "南京",
        "南京市鼓樓區漢口路 22 號",
        "025-8359 4000",
        "cs.lin",
    ),
    (
        "CJWL",
        "長江物流科技有限公司",
        "enterprise",
        "現代物流",
        "武漢",
        "武漢市東湖高新區光谷大道 77 號",
        "027-8765 5000",
        "cs.guo",
    ),
    (
        "RKYL",
        "瑞康醫療器械有限公司",
        "enterprise",
        "醫療器械",
        "深圳",
        "深圳市南山區科技園南區 12 棟",
        "0755-2666 6000",
        "cs.lin",
    ),
    (
        "HWYH",
        "海灣城市商業銀行",
        "state_owned",
        "金融",
        "廈門",
        "廈門市思明區鷺江道 100 號",
        "0592-2288 7000",
        "cs.he",
    ),
    (
        "XHWL",
        "星河文旅發展有限公司",
        "enterprise",
        "文化旅遊",
        "成都",
        "成都市錦江區紅星路三段 1 號",
        "028-8666 8000",
        "cs.guo",
    ),
]

# client code, name, title, mobile, e-mail, primary
CONTACTS = [
    ("HXZN", "陳建華", "信息化部經理", "138 0512 1101", "chen.jh@huaxin-im.example", True),
    ("HXZN", "楊曉雯", "生產技術主管", "139 1356 2202", "yang.xw@huaxin-im.example", False),
    ("DFLN", "周振宇", "數字化轉型辦公室主任", "137 0160 3303", "zhou.zy@dfgreen.example", True),
    ("DFLN", "吳敏", "採購專員", "136 2190 4404", "wu.min@dfgreen.example", False),
    ("SJZX", "林志偉", "平台建設科科長", "135 8862 5505", "lin.zw@bjdata.example", True),
    ("SJZX", "許佳慧", "科員", "134 5710 6606", "xu.jh@bjdata.example", False),
    ("MDDX", "黃教授", "實驗室主任", "133 1250 7707", "huang@mingde-univ.example", True),
    ("CJWL", "鄧海峰", "技術副總", "132 7100 8808", "deng.hf@cj-logistics.example", True),
    ("CJWL", "蔣麗君", "IT 經理", "131 2760 9909", "jiang.lj@cj-logistics.example", False),
    ("RKYL", "蘇文傑", "研發總監", "130 7550 1010", "su.wj@ruikang-med.example", True),
    ("HWYH", "潘國棟", "科技部總經理", "158 5920 1111", "pan.gd@bay-bank.example", True),
    ("HWYH", "葉詩涵", "風控科技崗", "159 5920 1212", "ye.sh@bay-bank.example", False),
    ("XHWL", "盧志豪", "數字營運總監", "186 2880 1313", "lu.zh@xinghe-ct.example", True),
]

# username, full name, client code
CLIENT_USERS = [
    ("client.hxzn", "陳建華", "HXZN"),
    ("client.hxzn2", "楊曉雯", "HXZN"),
    ("client.dfln", "周振宇", "DFLN"),
    ("client.sjzx", "林志偉", "SJZX"),
    ("client.mddx", "黃教授", "MDDX"),
    ("client.cjwl", "鄧海峰", "CJWL"),
    ("client.rkyl", "蘇文傑", "RKYL"),
    ("client.hwyh", "潘國棟", "HWYH"),
    ("client.xhwl", "盧志豪", "XHWL"),
]


def load(actor=None) -> dict[str, User]:
    """Create the demo organisation; returns the users by username."""
    departments: dict[str, Department] = {}
    for code, name, parent, order in DEPARTMENTS:
        department = Department(code=code, name=name, parent=departments.get(parent), sort_order=order)
        department._history_user = actor
        department.save()
        departments[code] = department

    positions: dict[str, Position] = {}
    for name, department_code, duties in POSITIONS:
        position = Position(name=name, department=departments[department_code], description=duties)
        position._history_user = actor
        position.save()
        positions[name] = position

    users: dict[str, User] = {}
    for index, (username, full_name, department, position, roles, is_superuser) in enumerate(STAFF, start=1):
        user = services.create_user(
            actor=actor,
            password=DEMO_PASSWORD,
            roles=roles,
            username=username,
            full_name=full_name,
            email=f"{username}@onestop.example",
            phone=f"021-6000 {1000 + index}",
            employee_no=f"E{2020000 + index}",
            department=departments[department],
            position=positions[position],
        )
        if is_superuser:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        users[username] = user

    for code, username in DEPARTMENT_HEADS.items():
        department = departments[code]
        department.head = users[username]
        department._history_user = actor
        department.save()

    organizations: dict[str, ClientOrganization] = {}
    for code, name, kind, industry, city, address, phone, manager in CLIENTS:
        organization = ClientOrganization(
            code=code,
            name=name,
            kind=kind,
            industry=industry,
            city=city,
            address=address,
            phone=phone,
            email=f"contact@{code.lower()}.example",
            account_manager=users[manager],
        )
        organization._history_user = actor
        organization.full_clean()
        organization.save()
        organizations[code] = organization

    for code, name, title, mobile, email, primary in CONTACTS:
        contact = ClientContact(
            organization=organizations[code],
            name=name,
            title=title,
            mobile=mobile,
            email=email,
            is_primary=primary,
        )
        contact._history_user = actor
        contact.full_clean()
        contact.save()

    for username, full_name, code in CLIENT_USERS:
        users[username] = services.create_user(
            actor=actor,
            password=DEMO_PASSWORD,
            roles=[Role.CLIENT],
            username=username,
            full_name=full_name,
            email=f"{username}@{code.lower()}.example",
            client_organization=organizations[code],
        )
    return users


def logins() -> list[tuple[str, str, str]]:
    """(username, name, what the account is for) for the README and `onestop demo`."""
    rows = [(u, n, "、".join(role_label(r) for r in roles)) for u, n, _d, _p, roles, _s in STAFF]
    clients = {c[0]: c[1] for c in CLIENTS}
    rows += [(u, n, f"{role_label(Role.CLIENT)}（{clients[c]}）") for u, n, c in CLIENT_USERS]
    return rows
