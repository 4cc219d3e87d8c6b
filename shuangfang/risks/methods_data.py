"""Seeded assessment methods (domain-reference §3), loaded by migration 0002 and by
``seed_methods()``. Each row carries its ``source`` and ``confidence``."""

from __future__ import annotations

from typing import Any


def _opt(value: float, label: str, label_en: str) -> dict[str, Any]:
    return {"value": value, "label": label, "label_en": label_en}


def _band(level, band, lo, lo_inc, hi, hi_inc, label, label_en) -> dict[str, Any]:
    return {
        "level": level,
        "band": band,
        "min": lo,
        "min_inclusive": lo_inc,
        "max": hi,
        "max_inclusive": hi_inc,
        "label": label,
        "label_en": label_en,
    }


LEC = {
    "code": "lec",
    "version": 1,
    "name": "作业条件危险性分析法（LEC）",
    "name_en": "LEC (Graham–Kinney), D = L × E × C",
    "formula": "L*E*C",
    "order": 10,
    "is_default": False,
    "confidence": "verified",
    "source": "domain-reference §3.1: https://m.zixin.com.cn/doc/3134728.html (L/E/C/D tables); "
    "4-level mapping per dual-prevention practice [M/V].",
    "boundary_rule": "D > 320 重大; 160 < D ≤ 320 较大; 70 < D ≤ 160 一般; 20 ≤ D ≤ 70 低 (band D); "
    "D < 20 低 (band E). Published tables overlap at 20/70/160/320; this is the default rule of "
    "domain-reference §3.1 (D = 70 → 低, D = 20 → band D).",
    "scales": [
        {
            "code": "L",
            "name": "事故发生的可能性",
            "name_en": "Likelihood",
            "options": [
                _opt(10, "完全可以预料", "fully expected"),
                _opt(6, "相当可能", "quite possible"),
                _opt(3, "可能，但不经常", "possible but unusual"),
                _opt(1, "可能性小，完全意外", "unlikely, a coincidence"),
                _opt(0.5, "很不可能，可以设想", "remotely possible"),
                _opt(0.2, "极不可能", "extremely unlikely"),
                _opt(0.1, "实际不可能", "practically impossible"),
            ],
        },
        {
            "code": "E",
            "name": "暴露于危险环境的频繁程度",
            "name_en": "Exposure",
            "options": [
                _opt(10, "连续暴露", "continuous"),
                _opt(6, "每天工作时间内暴露", "daily during working hours"),
                _opt(3, "每周一次或偶然暴露", "weekly or occasional"),
                _opt(2, "每月一次暴露", "monthly"),
                _opt(1, "每年几次暴露", "a few times a year"),
                _opt(0.5, "非常罕见地暴露", "very rare"),
            ],
        },
        {
            "code": "C",
            "name": "一旦发生事故可能造成的后果",
            "name_en": "Consequence",
            "options": [
                _opt(100, "大灾难，许多人死亡", "catastrophe, many deaths"),
                _opt(40, "灾难，数人死亡", "disaster, several deaths"),
                _opt(15, "非常严重，一人死亡", "very serious, one death"),
                _opt(7, "严重，重伤", "serious, severe injury"),
                _opt(3, "重大，致残", "important, disability"),
                _opt(1, "引人注目，需要救护", "noticeable, first aid"),
            ],
        },
    ],
    "bands": [
        _band(1, "A", 320, False, None, False, "极其危险，不能继续作业", "extremely dangerous, stop work"),
        _band(2, "B", 160, False, 320, True, "高度危险，要立即整改", "highly dangerous, fix at once"),
        _band(3, "C", 70, False, 160, True, "显著危险，需要整改", "notably dangerous, needs fixing"),
        _band(4, "D", 20, True, 70, True, "一般危险，需要注意", "some danger, needs attention"),
        _band(4, "E", None, False, 20, False, "稍有危险，可以接受", "slight danger, acceptable"),
    ],
}

_LS_L = {
    "code": "L",
    "name": "可能性",
    "name_en": "Likelihood",
    "options": [
        _opt(
            5,
            "现场没有防范、控制措施，或危害的发生不能被发现，或在正常情况下经常发生此类事故",
            "no controls, or harm cannot be detected, or such accidents occur often",
        ),
        _opt(
            4,
            "危害不易被发现，没有检测系统；或控制措施未有效执行/不完善；或危害常发生或预期会发生",
            "harm hard to detect; controls not applied or inadequate",
        ),
        _opt(
            3,
            "没有保护措施或未严格按操作程序执行；或危害容易被发现；或过去曾经发生类似事故",
            "no protection or procedures not followed; similar accidents happened before",
        ),
        _opt(
            2,
            "危害一旦发生能及时发现，并定期进行监测；或有效控制措施得到执行；或过去偶尔发生事故",
            "harm detected in time and monitored; effective controls applied",
        ),
        _opt(
            1,
            "有充分、有效的防范、控制、监测、保护措施；员工安全意识高；极不可能发生事故",
            "full, effective controls; accident extremely unlikely",
        ),
    ],
}
_LS_S = {
    "code": "S",
    "name": "严重性（取各维度最严重者）",
    "name_en": "Severity (worst dimension)",
    "options": [
        _opt(
            5, "违反法律法规；死亡；直接经济损失100万元以上；重大社会影响", "illegal; death; ≥ 1,000,000 RMB"
        ),
        _opt(
            4,
            "潜在违法；丧失劳动能力；直接经济损失50万元以上；行业或省内影响",
            "potentially illegal; disability; ≥ 500,000 RMB",
        ),
        _opt(
            3,
            "不符合上级或行业规定；截肢、骨折、听力丧失、慢性病；1万元以上；地区影响",
            "breaches sector rules; fracture, amputation; ≥ 10,000 RMB",
        ),
        _opt(
            2,
            "不符合本单位规程；轻微受伤、间歇不适；1万元以下；单位及周边影响",
            "breaches own procedures; minor injury; < 10,000 RMB",
        ),
        _opt(1, "完全符合；无伤亡；无损失；形象无损", "compliant; no injury; no loss"),
    ],
}

LS_A = {
    "code": "ls_a",
    "version": 1,
    "name": "风险矩阵法（LS，方案A）",
    "name_en": "Risk matrix LS, variant A (R = L × S)",
    "formula": "L*S",
    "order": 20,
    "is_default": True,
    # [M] in domain-reference §3.2: commonly cited, but the DB37/T 2882 table text was not
    # retrieved; shipped as the default with the "unverified" warning until someone checks it.
    "confidence": "unverified",
    "source": "domain-reference §3.2 variant A (DB37/T 2882 style, commonly cited; standard text not "
    "retrieved - unverified): https://m.taowenge.com/p-95858702.html",
    "boundary_rule": "R ≥ 20 重大; 15 ≤ R < 20 较大; 9 ≤ R < 15 一般; 4 ≤ R < 9 低 (D); R < 4 低 (E).",
    "scales": [_LS_L, _LS_S],
    "bands": [
        _band(1, "A", 20, True, None, False, "重大风险", "major"),
        _band(2, "B", 15, True, 20, False, "较大风险", "significant"),
        _band(3, "C", 9, True, 15, False, "一般风险", "general"),
        _band(4, "D", 4, True, 9, False, "低风险", "low"),
        _band(4, "E", None, False, 4, False, "低风险（轻微）", "low (slight)"),
    ],
}

LS_B = {
    **LS_A,
    "code": "ls_b",
    "name": "风险矩阵法（LS，方案B）",
    "name_en": "Risk matrix LS, variant B (R = L × S)",
    "order": 30,
    "is_default": False,
    "confidence": "verified",
    "source": "domain-reference §3.2 variant B: http://zgmkw.com/doc-30900.html",
    "boundary_rule": "R ≥ 20 Ⅰ 重大; 9 ≤ R < 20 Ⅱ 较大; 4 ≤ R < 9 Ⅲ 一般; R < 4 Ⅳ 低.",
    "bands": [
        _band(1, "Ⅰ", 20, True, None, False, "重大风险", "major"),
        _band(2, "Ⅱ", 9, True, 20, False, "较大风险", "significant"),
        _band(3, "Ⅲ", 4, True, 9, False, "一般风险", "general"),
        _band(4, "Ⅳ", None, False, 4, False, "低风险（轻微）", "low (slight)"),
    ],
}

MES = {
    "code": "mes",
    "version": 1,
    "name": "作业条件风险程度评价（MES，未核实）",
    "name_en": "MES, R = M × E × S (unverified)",
    "formula": "M*E*S",
    "order": 40,
    "is_default": False,
    "confidence": "unverified",
    "source": "domain-reference §3.3: https://p.safehoo.com/Estimate/Base/202006/1603818.shtml (M, E); "
    "S table and R bands [M] NOT VERIFIED - placeholder until checked.",
    "boundary_rule": "R ≥ 180 重大; 90 ≤ R < 180 较大; 50 ≤ R < 90 一般; 20 ≤ R < 50 低; R < 20 低 (可忽略).",
    "scales": [
        {
            "code": "M",
            "name": "控制措施的状态",
            "name_en": "State of control measures",
            "options": [
                _opt(5, "无控制措施", "no control measures"),
                _opt(
                    3, "有减轻后果的应急措施（警报系统、个体防护用品）", "mitigating emergency measures only"
                ),
                _opt(1, "有预防措施（如机器防护装置），但须保证有效", "effective preventive measures"),
            ],
        },
        {
            "code": "E",
            "name": "人体暴露或危险状态出现的频繁程度",
            "name_en": "Exposure / frequency",
            "options": [
                _opt(10, "连续暴露（常态）", "continuous"),
                _opt(6, "每天工作时间内暴露", "each working day"),
                _opt(3, "每周一次或偶然暴露", "weekly or occasional"),
                _opt(2, "每月一次暴露", "monthly"),
                _opt(1, "每年几次暴露", "a few times a year"),
                _opt(0.5, "更少的暴露", "rarer"),
            ],
        },
        {
            "code": "S",
            "name": "事故可能的后果",
            "name_en": "Possible consequence",
            "options": [
                _opt(10, "有多人死亡；财产损失 > 1亿", "several deaths"),
                _opt(8, "有一人死亡；1000万–1亿", "one death"),
                _opt(4, "永久失能；100万–1000万", "permanent disability"),
                _opt(2, "需医院治疗，缺勤；10万–100万", "hospital treatment"),
                _opt(1, "轻微，仅需急救；< 10万", "minor, first aid"),
            ],
        },
    ],
    "bands": [
        _band(1, "一级", 180, True, None, False, "一级", "class 1"),
        _band(2, "二级", 90, True, 180, False, "二级", "class 2"),
        _band(3, "三级", 50, True, 90, False, "三级", "class 3"),
        _band(4, "四级", 20, True, 50, False, "四级", "class 4"),
        _band(4, "五级", None, False, 20, False, "五级（可忽略）", "class 5 (negligible)"),
    ],
}

DIRECT = {
    "code": "direct",
    "version": 1,
    "name": "直接评定法",
    "name_en": "Direct judgement",
    "formula": "LEVEL",
    "order": 50,
    "is_default": False,
    "requires_basis": True,
    "confidence": "common",
    "source": "domain-reference §3.4 (vendor method list includes 直接评定法 [V]); criteria e.g. "
    "《养老机构重大事故隐患判定标准》(2023) §4.1, 《儿童福利机构重大事故隐患判定标准》(2024) §4.2.",
    "boundary_rule": "The level is the one chosen; a basis (the criterion met) is required.",
    "scales": [
        {
            "code": "LEVEL",
            "name": "判定等级",
            "name_en": "Level judged",
            "options": [
                _opt(
                    1,
                    "重大风险：符合重大事故隐患判定标准或近期发生过死亡事故等",
                    "major: meets a major-hazard criterion",
                ),
                _opt(2, "较大风险", "significant"),
                _opt(3, "一般风险", "general"),
                _opt(4, "低风险", "low"),
            ],
        }
    ],
    "bands": [
        _band(lv, str(lv), lv, True, lv, True, n, n_en)
        for lv, n, n_en in [
            (1, "重大风险", "major"),
            (2, "较大风险", "significant"),
            (3, "一般风险", "general"),
            (4, "低风险", "low"),
        ]
    ],
}

METHODS = [LEC, LS_A, LS_B, MES, DIRECT]
