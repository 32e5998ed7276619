"""Province-level division codes (GB/T 2260 first two digits) shared by the identifier parsers."""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    # 830000 is used by residence permits of Taiwan residents living on the mainland.
    "83": "台湾地区（居住证）",
}

# Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证) use these
# six-digit prefixes in place of a county code.
RESIDENCE_PERMIT_REGIONS: frozenset[str] = frozenset({"810000", "820000", "830000"})


def province_of(code: str) -> str | None:
    """Name of the province whose two-digit code starts ``code``, or None when unknown."""
    return PROVINCES.get(code[:2]) if len(code) >= 2 else None
