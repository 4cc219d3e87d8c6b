"""English text of the national starter library (``library_data``), keyed by the Chinese text it
translates. ``english(text)`` is the English for one seeded string ("" when there is none, so a
bureau's own wording is shown as typed); sources are translated clause by clause."""

from __future__ import annotations

SOURCES: dict[str, str] = {
    "《养老机构消防安全管理规定》(民发〔2023〕37号)": (
        "Provisions on Fire Safety Management of Elderly Care Institutions (Min Fa [2023] No. 37)"
    ),
    "《社会福利机构消防安全管理十项规定》": (
        "Ten Provisions on Fire Safety Management of Social Welfare Institutions"
    ),
    "《食品安全法》及餐饮服务食品安全操作规范": (
        "Food Safety Law and the Food Safety Operating Code for Catering Services"
    ),
    "GB 38600-2019《养老机构服务安全基本规范》": (
        "GB 38600-2019 Basic Safety Specification for Services of Elderly Care Institutions"
    ),
    "《养老机构重大事故隐患判定标准》(2023)": (
        "Criteria for Determining Major Accident Hazards in Elderly Care Institutions (2023)"
    ),
    "《生活无着的流浪乞讨人员救助管理机构工作规程》(民发〔2014〕132号)": (
        "Working Rules of Relief Management Institutions for Vagrants and Beggars without Means of "
        "Support (Min Fa [2014] No. 132)"
    ),
    "《特种设备安全法》": "Special Equipment Safety Law",
    "双重预防机制通行做法（山东等地风险点划分示例）": (
        "Common practice of the dual prevention mechanism (risk point division examples from "
        "Shandong and other provinces)"
    ),
    "（第五条第1项：内设医疗机构执业许可或备案）": (
        " (Art. 5 item 1: licence or filing of the in-house medical unit)"
    ),
    "（夜间巡查）": " (night patrols)",
    "第四条第4项": "Art. 4 item 4",
    "第四条": "Art. 4",
    " 第2项": " item 2",
}

TEXT: dict[str, str] = {
    # risk points and areas
    "厨房": "Kitchen",
    "后勤区": "Support services area",
    "燃气调压间": "Gas pressure-regulating room",
    "配电室": "Power distribution room",
    "设备区": "Plant area",
    "锅炉房": "Boiler room",
    "居室（宿舍）": "Residents' rooms (dormitories)",
    "生活区": "Living area",
    "接待大厅及安检区": "Reception hall and security check area",
    "接待区": "Reception area",
    "医务室": "Infirmary",
    "医疗区": "Medical area",
    "洗衣房": "Laundry",
    "电梯": "Lift",
    "车辆": "Vehicles",
    "车库": "Garage",
    "护送返乡": "Escorting home",
    "站外": "Outside the station",
    "夜间照护": "Night care",
    # hazard factors and consequences
    "燃气泄漏遇明火": "Gas leak meeting an open flame",
    "火灾、爆炸、人员中毒": "Fire, explosion, poisoning of people",
    "烟道油污积聚": "Grease build-up in the flue",
    "烟道起火": "Flue fire",
    "刀具、绞肉机等机械伤手": "Hand injuries from knives, mincers and other machines",
    "割伤": "Cuts",
    "地面湿滑": "Wet, slippery floor",
    "滑倒摔伤": "Slips and falls",
    "食品加工不当": "Improper food preparation",
    "集体食物中毒": "Mass food poisoning",
    "燃气管道、阀门泄漏": "Leaks from gas pipes and valves",
    "爆炸、火灾": "Explosion, fire",
    "电气线路老化、过载": "Ageing or overloaded electrical wiring",
    "电气火灾、触电": "Electrical fire, electric shock",
    "无关人员误入": "Unauthorised persons entering by mistake",
    "触电": "Electric shock",
    "锅炉超压、缺水": "Boiler overpressure or low water",
    "锅炉爆炸、烫伤": "Boiler explosion, scalds",
    "违规使用大功率电器、私拉电线": ("Prohibited high-power appliances, unauthorised extension wiring"),
    "火灾": "Fire",
    "夜间吸烟": "Smoking at night",
    "服务对象跌倒、坠床": "Residents falling or falling out of bed",
    "骨折、死亡": "Fractures, death",
    "受助人员携带管制刀具、易燃物品": (
        "Persons being assisted carrying controlled knives or flammable articles"
    ),
    "伤人、火灾": "Injury to people, fire",
    "受助人员情绪激动、冲突": "Agitated persons being assisted, conflicts",
    "伤人": "Injury to people",
    "传染病输入": "Infectious disease brought in",
    "疫情传播": "Spread of an epidemic",
    "用药差错": "Medication errors",
    "药物不良反应": "Adverse drug reactions",
    "医疗废物处置不当": "Improper handling of medical waste",
    "感染": "Infection",
    "烘干机积尘过热": "Dust build-up and overheating in dryers",
    "设备漏电": "Equipment earth leakage",
    "电梯未定期检验、困人": "Lift not periodically inspected, people trapped",
    "困人、坠落": "People trapped, falls",
    "驾驶员疲劳、超速": "Driver fatigue, speeding",
    "交通事故": "Traffic accident",
    "受助人员途中走失、突发疾病": ("Persons being assisted going missing or falling ill on the way"),
    "走失、死亡": "Going missing, death",
    "伤亡": "Injuries and deaths",
    "夜间巡查不到位，突发疾病未及时发现": ("Inadequate night patrols, sudden illness not noticed in time"),
    "延误救治、死亡": "Delayed treatment, death",
    "夜间火灾疏散困难": "Difficult evacuation in a fire at night",
    "群死群伤": "Mass casualties",
    "服务对象噎食": "Residents choking on food",
    "窒息死亡": "Death by asphyxia",
    # measures and what to check
    "安装可燃气体报警器并与紧急切断阀联动": (
        "Install combustible gas detectors interlocked with the emergency shut-off valve"
    ),
    "报警器是否通电、试验是否联动切断": ("Detector powered; a test shuts off the gas through the interlock"),
    "用火用气后关闭阀门，每日下班检查": (
        "Close the valves after using fire or gas; check at the end of each day"
    ),
    "灶具阀门、总阀是否关闭": "Stove valves and main valve closed",
    "厨房人员燃气安全和灭火器使用培训": (
        "Train kitchen staff in gas safety and the use of fire extinguishers"
    ),
    "培训记录是否齐全": "Training records complete",
    "配置灭火毯、灭火器，张贴应急处置卡": (
        "Provide fire blankets and extinguishers; post the emergency response card"
    ),
    "灭火器压力、有效期，灭火毯是否在位": ("Extinguisher pressure and expiry date; fire blanket in place"),
    "烟道、油烟罩定期清洗（至少每季度）": (
        "Clean the flue and extractor hood regularly (at least quarterly)"
    ),
    "清洗记录与油污情况": "Cleaning records and grease build-up",
    "佩戴防割手套": "Wear cut-resistant gloves",
    "是否佩戴防割手套": "Cut-resistant gloves worn",
    "设备操作规程上墙，断电清洁": ("Post the operating procedure on the wall; clean with the power off"),
    "操作规程是否上墙": "Operating procedure posted",
    "铺设防滑地垫，排水沟畅通": "Lay anti-slip mats; keep drains clear",
    "地面是否有积水油污": "Standing water or grease on the floor",
    "食品留样48小时，原料索证索票": (
        "Keep food samples for 48 hours; obtain certificates and invoices for ingredients"
    ),
    "留样记录、留样柜温度": "Sample records, sample refrigerator temperature",
    "从业人员健康证、食品安全培训": "Staff health certificates, food safety training",
    "健康证是否在有效期内": "Health certificates valid",
    "可燃气体探测报警、防爆排风": "Combustible gas detection and alarm, explosion-proof exhaust fan",
    "报警器、排风机是否正常": "Detector and exhaust fan working",
    "专人管理，每日巡查，禁止无关人员进入": (
        "A named person in charge, daily patrols, no entry for unauthorised persons"
    ),
    "巡查记录、门锁": "Patrol records, door lock",
    "燃气泄漏应急预案，定期演练": "Gas leak emergency plan with regular drills",
    "演练记录": "Drill records",
    "安装电气火灾监控系统": "Install an electrical fire monitoring system",
    "监控主机是否报警或离线": "Monitoring unit in alarm or offline",
    "电工持证上岗，定期检测": "Certified electricians only; periodic testing",
    "特种作业操作证、检测报告": "Special operations certificates, test reports",
    "绝缘手套、绝缘靴、绝缘垫": "Insulating gloves, boots and mats",
    "绝缘用具是否在检验期内": "Insulating equipment within its test period",
    "门锁闭，挂“当心触电”标志": 'Keep the door locked; post a "Danger: electric shock" sign',
    "门是否锁闭、标志是否完好": "Door locked, sign intact",
    "安全阀、压力表、水位计定期校验": (
        "Periodic calibration of safety valves, pressure gauges and water level gauges"
    ),
    "校验标签是否在有效期": "Calibration labels in date",
    "司炉工持证上岗，运行记录": "Certified boiler operators only; operating log",
    "司炉证、运行记录": "Boiler operator certificates, operating log",
    "锅炉事故应急处置卡": "Boiler accident emergency response card",
    "处置卡是否张贴": "Response card posted",
    "安装限流式保护器和独立式烟感": ("Install current-limiting protectors and stand-alone smoke detectors"),
    "烟感是否有效": "Smoke detectors working",
    "每日巡查违规电器": "Daily patrol for prohibited appliances",
    "巡查记录": "Patrol records",
    "禁烟管理和夜间巡查（每2小时）": "No-smoking rules and night patrols (every 2 hours)",
    "夜间巡查记录": "Night patrol records",
    "床护栏、扶手、防滑地面、呼叫器": "Bed rails, handrails, anti-slip floors, call buttons",
    "护栏、呼叫器是否完好": "Bed rails and call buttons intact",
    "入住评估与风险告知": "Admission assessment and risk notification",
    "风险评估记录": "Risk assessment records",
    "安检门、手持金属探测仪": "Walk-through and hand-held metal detectors",
    "设备是否正常": "Equipment working",
    "入站安全检查和物品登记代管": ("Security check on arrival; registration and safekeeping of belongings"),
    "检查登记记录": "Check and registration records",
    "两人以上接待，视频监控全覆盖": "At least two staff at reception; full video surveillance",
    "监控是否正常、录像保存≥90天": "Surveillance working, recordings kept ≥ 90 days",
    "接待人员冲突处置培训": "Conflict handling training for reception staff",
    "培训记录": "Training records",
    "防刺服、防割手套、约束器具": "Stab-resistant vests, cut-resistant gloves, restraint equipment",
    "防护装备是否在位": "Protective equipment in place",
    "入站健康询问、体温检测，隔离观察室": (
        "Health questions and temperature check on arrival; isolation observation room"
    ),
    "检测登记记录": "Screening records",
    "药品查对制度，专人发药": "Medication checking procedure; a named person dispenses",
    "发药记录": "Dispensing records",
    "医疗废物分类暂存、交接登记": ("Sort and temporarily store medical waste; record each handover"),
    "交接记录": "Handover records",
    "每次使用后清理滤网": "Clean the lint filter after each use",
    "滤网是否清理": "Lint filter cleaned",
    "剩余电流保护器、可靠接地": "Residual current devices, reliable earthing",
    "漏电保护器试跳": "Residual current device test trip",
    "使用登记，年度检验，每15日维保": ("Registration for use, annual inspection, maintenance every 15 days"),
    "检验合格标志、维保记录": "Inspection certificate displayed, maintenance records",
    "困人应急救援预案，五方通话畅通": (
        "Emergency rescue plan for trapped people; five-party intercom working"
    ),
    "五方通话测试": "Five-party intercom test",
    "出车登记，车辆定期保养": "Trip log; regular vehicle servicing",
    "出车登记、保养记录": "Trip log, servicing records",
    "驾驶员安全教育": "Safety education for drivers",
    "两人以上护送，交接签字": "At least two escorts; handover signed",
    "护送交接单": "Escort handover form",
    "途中应急联系与就近送医": ("Emergency contacts on the way; take to the nearest hospital when needed"),
    "应急联系表": "Emergency contact list",
    "选择正规交通工具，不疲劳驾驶": "Use licensed transport; no driving while fatigued",
    "护送方案": "Escort plan",
    "夜间每2小时巡查并签到": "Patrol every 2 hours at night and sign in",
    "巡查签到记录": "Patrol sign-in records",
    "床头呼叫器、红外监测": "Bedside call buttons, infrared monitoring",
    "呼叫器是否正常": "Call buttons working",
    "夜间疏散预案，值班人员熟悉疏散路线": ("Night evacuation plan; staff on duty know the evacuation routes"),
    "夜间演练记录": "Night drill records",
    "夜班人员“四个能力”培训": '"Four abilities" fire safety training for night staff',
    "进食评估，流质、半流质饮食，专人看护": (
        "Eating assessment, liquid or semi-liquid diet, a named carer supervises"
    ),
    "进食看护记录": "Feeding supervision records",
    "海姆立克急救法培训": "Heimlich manoeuvre training",
}


def english(text: str) -> str:
    return TEXT.get(text, "")


def source_english(source: str) -> str:
    out = source
    for zh, en in SOURCES.items():
        out = out.replace(zh, en)
    return out
