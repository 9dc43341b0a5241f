"""Demo / seed data for the Guangyuan "跨域通办" (cross-region service) system.

Loaded by ``flask demo load``. Everything here is a plain Python literal; records
reference each other by ``key`` strings (regions by their GB/T 2260 code).

Provenance, so nobody mistakes the demo for an official directory:

* Administrative names and GB/T 2260 codes of provinces, cities and counties are real.
* Townships/streets are real place names; their 9-digit statistical codes are left
  ``None`` because they were not verified.
* Matter names follow the national 跨省通办 lists (国办发〔2020〕35号 and
  国办发〔2022〕34号) and the 川渝通办 lists; statutory limits follow the cited
  regulations where one exists, otherwise they are plausible values.
* Street addresses, house numbers, telephone numbers and the names of the bodies of
  广元经济技术开发区 and of the 住房公积金 county offices are ILLUSTRATIVE: plausible
  in form (area code 0839, postcodes 628xxx) but not taken from an official directory.
"""

from __future__ import annotations

DEMO_PASSWORD_DEFAULT = "Demo#2026gy"

# --------------------------------------------------------------------------- lines
LINES: dict[str, tuple[str, str]] = {
    "hrss": ("人力资源和社会保障", "Human Resources and Social Security"),
    "police": ("公安", "Public Security"),
    "medical_insurance": ("医疗保障", "Medical Insurance"),
    "market": ("市场监督管理", "Market Regulation"),
    "civil_affairs": ("民政", "Civil Affairs"),
    "natural_resources": ("自然资源", "Natural Resources"),
    "housing_fund": ("住房公积金", "Housing Provident Fund"),
}

# --------------------------------------------------------------------------- regions
REGIONS: list[dict] = [
    # 四川省 and 广元市
    {"key": "510000", "code": "510000", "name": "四川省", "level": "province", "parent": None},
    {"key": "510800", "code": "510800", "name": "广元市", "level": "city", "parent": "510000"},
    {"key": "510802", "code": "510802", "name": "利州区", "level": "county", "parent": "510800"},
    {"key": "510811", "code": "510811", "name": "昭化区", "level": "county", "parent": "510800"},
    {"key": "510812", "code": "510812", "name": "朝天区", "level": "county", "parent": "510800"},
    {"key": "510821", "code": "510821", "name": "旺苍县", "level": "county", "parent": "510800"},
    {"key": "510822", "code": "510822", "name": "青川县", "level": "county", "parent": "510800"},
    {"key": "510823", "code": "510823", "name": "剑阁县", "level": "county", "parent": "510800"},
    {"key": "510824", "code": "510824", "name": "苍溪县", "level": "county", "parent": "510800"},
    # national-level economic and technological development zone, managed as a county-level unit
    {"key": "gy_kfq", "code": None, "name": "广元经济技术开发区", "level": "county", "parent": "510800"},
    # townships / streets that host a convenience station (statistical codes not verified -> None)
    {"key": "lz_dongba", "code": None, "name": "东坝街道", "level": "township", "parent": "510802"},
    {"key": "zh_zhaohua", "code": None, "name": "昭化镇", "level": "township", "parent": "510811"},
    {"key": "jg_puan", "code": None, "name": "普安镇", "level": "township", "parent": "510823"},
    {"key": "cx_lingjiang", "code": None, "name": "陵江镇", "level": "township", "parent": "510824"},
    # 成都市
    {"key": "510100", "code": "510100", "name": "成都市", "level": "city", "parent": "510000"},
    {"key": "510104", "code": "510104", "name": "锦江区", "level": "county", "parent": "510100"},
    # 重庆市: a municipality, held at province level with its districts directly below
    {"key": "500000", "code": "500000", "name": "重庆市", "level": "province", "parent": None},
    {"key": "500103", "code": "500103", "name": "渝中区", "level": "county", "parent": "500000"},
    # 浙江省
    {"key": "330000", "code": "330000", "name": "浙江省", "level": "province", "parent": None},
    {"key": "330100", "code": "330100", "name": "杭州市", "level": "city", "parent": "330000"},
    {"key": "330106", "code": "330106", "name": "西湖区", "level": "county", "parent": "330100"},
    # 贵州省
    {"key": "520000", "code": "520000", "name": "贵州省", "level": "province", "parent": None},
    {"key": "520100", "code": "520100", "name": "贵阳市", "level": "city", "parent": "520000"},
    {"key": "520103", "code": "520103", "name": "云岩区", "level": "county", "parent": "520100"},
    # 云南省
    {"key": "530000", "code": "530000", "name": "云南省", "level": "province", "parent": None},
    {"key": "530100", "code": "530100", "name": "昆明市", "level": "city", "parent": "530000"},
    {"key": "530102", "code": "530102", "name": "五华区", "level": "county", "parent": "530100"},
    # 西藏自治区
    {"key": "540000", "code": "540000", "name": "西藏自治区", "level": "province", "parent": None},
    {"key": "540100", "code": "540100", "name": "拉萨市", "level": "city", "parent": "540000"},
    {"key": "540102", "code": "540102", "name": "城关区", "level": "county", "parent": "540100"},
]

# --------------------------------------------------------------------------- centers
_GY_HOURS = "工作日 9:00—12:00，14:00—17:30（夏季下午 14:30—18:00）"
_STATION_HOURS = "工作日 8:30—12:00，14:00—17:30"

CENTERS: list[dict] = [
    # 市级: 广元市政务服务中心, run by 广元市政务服务和公共资源交易中心
    {"key": "city_center", "code": "GYSZX", "name": "广元市政务服务中心", "kind": "center", "external": False,
     "region": "510800", "address": "四川省广元市利州区利州东路二段1号",
     "postcode": "628000", "phone": "0839-3265110", "hours": _GY_HOURS},
    # 县级 (one per county-level unit, 开发区 included)
    {"key": "lz_center", "code": "GYLZ", "name": "广元市利州区政务服务中心", "kind": "center", "external": False,
     "region": "510802", "address": "四川省广元市利州区嘉陵街道滨河北路二段66号",
     "postcode": "628017", "phone": "0839-3302345", "hours": _GY_HOURS},
    {"key": "zh_center", "code": "GYZH", "name": "广元市昭化区政务服务中心", "kind": "center", "external": False,
     "region": "510811", "address": "四川省广元市昭化区元坝镇元坝大道188号",
     "postcode": "628021", "phone": "0839-8722345", "hours": _GY_HOURS},
    {"key": "ct_center", "code": "GYCT", "name": "广元市朝天区政务服务中心", "kind": "center", "external": False,
     "region": "510812", "address": "四川省广元市朝天区朝天镇明月路88号",
     "postcode": "628012", "phone": "0839-8622345", "hours": _GY_HOURS},
    {"key": "wc_center", "code": "GYWC", "name": "旺苍县政务服务中心", "kind": "center", "external": False,
     "region": "510821", "address": "四川省广元市旺苍县东河镇红军路128号",
     "postcode": "628200", "phone": "0839-4222345", "hours": _GY_HOURS},
    {"key": "qc_center", "code": "GYQC", "name": "青川县政务服务中心", "kind": "center", "external": False,
     "region": "510822", "address": "四川省广元市青川县乔庄镇青竹路18号",
     "postcode": "628100", "phone": "0839-7202345", "hours": _GY_HOURS},
    {"key": "jg_center", "code": "GYJG", "name": "剑阁县政务服务中心", "kind": "center", "external": False,
     "region": "510823", "address": "四川省广元市剑阁县下寺镇剑门路66号",
     "postcode": "628300", "phone": "0839-6622345", "hours": _GY_HOURS},
    {"key": "cx_center", "code": "GYCX", "name": "苍溪县政务服务中心", "kind": "center", "external": False,
     "region": "510824", "address": "四川省广元市苍溪县陵江镇江南干道二段99号",
     "postcode": "628400", "phone": "0839-5222345", "hours": _GY_HOURS},
    {"key": "kfq_center", "code": "GYKFQ", "name": "广元经济技术开发区政务服务中心", "kind": "center", "external": False,
     "region": "gy_kfq", "address": "四川省广元市利州区下西坝经开区管委会一楼",
     "postcode": "628017", "phone": "0839-3382345", "hours": _GY_HOURS},
    # 乡镇（街道）便民服务中心
    {"key": "lz_dongba_station", "code": "GYLZDB", "name": "利州区东坝街道便民服务中心", "kind": "station",
     "external": False, "region": "lz_dongba", "address": "四川省广元市利州区东坝街道东坝路36号",
     "postcode": "628017", "phone": "0839-3612345", "hours": _STATION_HOURS},
    {"key": "zh_zhaohua_station", "code": "GYZHZH", "name": "昭化区昭化镇便民服务中心", "kind": "station",
     "external": False, "region": "zh_zhaohua", "address": "四川省广元市昭化区昭化镇太守街9号",
     "postcode": "628017", "phone": "0839-8722801", "hours": _STATION_HOURS},
    {"key": "jg_puan_station", "code": "GYJGPA", "name": "剑阁县普安镇便民服务中心", "kind": "station",
     "external": False, "region": "jg_puan", "address": "四川省广元市剑阁县普安镇西街28号",
     "postcode": "628300", "phone": "0839-6602801", "hours": _STATION_HOURS},
    {"key": "cx_lingjiang_station", "code": "GYCXLJ", "name": "苍溪县陵江镇便民服务中心", "kind": "station",
     "external": False, "region": "cx_lingjiang", "address": "四川省广元市苍溪县陵江镇北门路16号",
     "postcode": "628400", "phone": "0839-5212801", "hours": _STATION_HOURS},
    # external counterpart windows (通办专窗 of partner regions)
    {"key": "cq_yuzhong_center", "code": "CQYZ", "name": "重庆市渝中区政务服务中心", "kind": "center",
     "external": True, "region": "500103", "address": "重庆市渝中区大坪正街19号",
     "postcode": "400042", "phone": "023-63891234", "hours": "工作日 9:00—12:00，14:00—18:00"},
    {"key": "cd_jinjiang_center", "code": "CDJJ", "name": "成都市锦江区政务服务中心", "kind": "center",
     "external": True, "region": "510104", "address": "四川省成都市锦江区工业园区三色路38号",
     "postcode": "610063", "phone": "028-84581234", "hours": "工作日 9:00—12:00，13:30—17:30"},
    {"key": "hz_xihu_center", "code": "HZXH", "name": "杭州市西湖区政务服务中心", "kind": "center",
     "external": True, "region": "330106", "address": "浙江省杭州市西湖区文三路81号",
     "postcode": "310012", "phone": "0571-87051234", "hours": "工作日 8:30—12:00，13:30—17:00"},
    {"key": "gy_yunyan_center", "code": "GZYY", "name": "贵阳市云岩区政务服务中心", "kind": "center",
     "external": True, "region": "520103", "address": "贵州省贵阳市云岩区北京路218号",
     "postcode": "550001", "phone": "0851-85821234", "hours": "工作日 9:00—12:00，13:30—17:30"},
    {"key": "km_wuhua_center", "code": "KMWH", "name": "昆明市五华区政务服务中心", "kind": "center",
     "external": True, "region": "530102", "address": "云南省昆明市五华区人民中路111号",
     "postcode": "650031", "phone": "0871-63121234", "hours": "工作日 9:00—12:00，14:00—18:00"},
    {"key": "ls_chengguan_center", "code": "LSCG", "name": "拉萨市城关区政务服务中心", "kind": "center",
     "external": True, "region": "540102", "address": "西藏自治区拉萨市城关区江苏大道18号",
     "postcode": "850000", "phone": "0891-6331234", "hours": "工作日 9:30—13:00，15:30—18:00"},
]

# --------------------------------------------------------------------------- departments


def _dept(key, name, short_name, region, line, center, phone, address):
    return {"key": key, "name": name, "short_name": short_name, "region": region, "line": line,
            "center": center, "phone": phone, "address": address}


DEPARTMENTS: list[dict] = [
    # ---- 市级 (region 510800); their service windows sit in 广元市政务服务中心
    _dept("city_hrss", "广元市人力资源和社会保障局", "市人社局", "510800", "hrss", "city_center",
          "0839-3266012", "四川省广元市利州区利州东路二段1号"),
    _dept("city_police", "广元市公安局", "市公安局", "510800", "police", "city_center",
          "0839-3303110", "四川省广元市利州区蜀门北路66号"),
    _dept("city_medical_insurance", "广元市医疗保障局", "市医保局", "510800", "medical_insurance", "city_center",
          "0839-3268012", "四川省广元市利州区利州东路二段1号"),
    _dept("city_market", "广元市市场监督管理局", "市市场监管局", "510800", "market", "city_center",
          "0839-3262315", "四川省广元市利州区万缘新区利州东路三段8号"),
    _dept("city_civil_affairs", "广元市民政局", "市民政局", "510800", "civil_affairs", "city_center",
          "0839-3267012", "四川省广元市利州区利州东路二段1号"),
    _dept("city_natural_resources", "广元市自然资源和规划局", "市自然资源和规划局", "510800",
          "natural_resources", "city_center", "0839-3269012", "四川省广元市利州区利州东路二段1号"),
    _dept("city_housing_fund", "广元市住房公积金管理中心", "市公积金中心", "510800", "housing_fund",
          "city_center", "0839-3284567", "四川省广元市利州区南河滨江路一段57号"),

    # ---- 利州区 (510802); 住房公积金 served by the city centre itself
    _dept("lz_police", "广元市公安局利州区分局", "利州公安分局", "510802", "police", "lz_center",
          "0839-3302110", "四川省广元市利州区嘉陵街道嘉陵路128号"),
    _dept("lz_hrss", "广元市利州区人力资源和社会保障局", "利州区人社局", "510802", "hrss", "lz_center",
          "0839-3302601", "四川省广元市利州区嘉陵街道滨河北路二段66号"),
    _dept("lz_medical_insurance", "广元市利州区医疗保障局", "利州区医保局", "510802", "medical_insurance",
          "lz_center", "0839-3302602", "四川省广元市利州区嘉陵街道滨河北路二段66号"),
    _dept("lz_market", "广元市利州区市场监督管理局", "利州区市场监管局", "510802", "market", "lz_center",
          "0839-3302603", "四川省广元市利州区上西街道建设路45号"),
    _dept("lz_civil_affairs", "广元市利州区民政局", "利州区民政局", "510802", "civil_affairs", "lz_center",
          "0839-3302604", "四川省广元市利州区嘉陵街道滨河北路二段66号"),
    _dept("lz_natural_resources", "广元市利州区自然资源局", "利州区自然资源局", "510802", "natural_resources",
          "lz_center", "0839-3302605", "四川省广元市利州区南河街道南河路20号"),

    # ---- 昭化区 (510811)
    _dept("zh_police", "广元市公安局昭化区分局", "昭化公安分局", "510811", "police", "zh_center",
          "0839-8722110", "四川省广元市昭化区元坝镇元坝大道66号"),
    _dept("zh_hrss", "广元市昭化区人力资源和社会保障局", "昭化区人社局", "510811", "hrss", "zh_center",
          "0839-8722601", "四川省广元市昭化区元坝镇元坝大道188号"),
    _dept("zh_medical_insurance", "广元市昭化区医疗保障局", "昭化区医保局", "510811", "medical_insurance",
          "zh_center", "0839-8722602", "四川省广元市昭化区元坝镇元坝大道188号"),
    _dept("zh_market", "广元市昭化区市场监督管理局", "昭化区市场监管局", "510811", "market", "zh_center",
          "0839-8722603", "四川省广元市昭化区元坝镇紫云路12号"),
    _dept("zh_civil_affairs", "广元市昭化区民政局", "昭化区民政局", "510811", "civil_affairs", "zh_center",
          "0839-8722604", "四川省广元市昭化区元坝镇元坝大道188号"),
    _dept("zh_natural_resources", "广元市昭化区自然资源局", "昭化区自然资源局", "510811", "natural_resources",
          "zh_center", "0839-8722605", "四川省广元市昭化区元坝镇紫云路30号"),
    _dept("zh_housing_fund", "广元市住房公积金管理中心昭化管理部", "市公积金中心昭化管理部", "510811",
          "housing_fund", "zh_center", "0839-8722606", "四川省广元市昭化区元坝镇元坝大道188号"),

    # ---- 朝天区 (510812)
    _dept("ct_police", "广元市公安局朝天区分局", "朝天公安分局", "510812", "police", "ct_center",
          "0839-8622110", "四川省广元市朝天区朝天镇滨江路20号"),
    _dept("ct_hrss", "广元市朝天区人力资源和社会保障局", "朝天区人社局", "510812", "hrss", "ct_center",
          "0839-8622601", "四川省广元市朝天区朝天镇明月路88号"),
    _dept("ct_medical_insurance", "广元市朝天区医疗保障局", "朝天区医保局", "510812", "medical_insurance",
          "ct_center", "0839-8622602", "四川省广元市朝天区朝天镇明月路88号"),
    _dept("ct_market", "广元市朝天区市场监督管理局", "朝天区市场监管局", "510812", "market", "ct_center",
          "0839-8622603", "四川省广元市朝天区朝天镇明月路102号"),
    _dept("ct_civil_affairs", "广元市朝天区民政局", "朝天区民政局", "510812", "civil_affairs", "ct_center",
          "0839-8622604", "四川省广元市朝天区朝天镇明月路88号"),
    _dept("ct_natural_resources", "广元市朝天区自然资源局", "朝天区自然资源局", "510812", "natural_resources",
          "ct_center", "0839-8622605", "四川省广元市朝天区朝天镇滨江路36号"),
    _dept("ct_housing_fund", "广元市住房公积金管理中心朝天管理部", "市公积金中心朝天管理部", "510812",
          "housing_fund", "ct_center", "0839-8622606", "四川省广元市朝天区朝天镇明月路88号"),

    # ---- 旺苍县 (510821)
    _dept("wc_police", "旺苍县公安局", "旺苍县公安局", "510821", "police", "wc_center",
          "0839-4222110", "四川省广元市旺苍县东河镇东河路56号"),
    _dept("wc_hrss", "旺苍县人力资源和社会保障局", "旺苍县人社局", "510821", "hrss", "wc_center",
          "0839-4222601", "四川省广元市旺苍县东河镇红军路128号"),
    _dept("wc_medical_insurance", "旺苍县医疗保障局", "旺苍县医保局", "510821", "medical_insurance",
          "wc_center", "0839-4222602", "四川省广元市旺苍县东河镇红军路128号"),
    _dept("wc_market", "旺苍县市场监督管理局", "旺苍县市场监管局", "510821", "market", "wc_center",
          "0839-4222603", "四川省广元市旺苍县东河镇新华街21号"),
    _dept("wc_civil_affairs", "旺苍县民政局", "旺苍县民政局", "510821", "civil_affairs", "wc_center",
          "0839-4222604", "四川省广元市旺苍县东河镇红军路128号"),
    _dept("wc_natural_resources", "旺苍县自然资源局", "旺苍县自然资源局", "510821", "natural_resources",
          "wc_center", "0839-4222605", "四川省广元市旺苍县东河镇新华街45号"),
    _dept("wc_housing_fund", "广元市住房公积金管理中心旺苍管理部", "市公积金中心旺苍管理部", "510821",
          "housing_fund", "wc_center", "0839-4222606", "四川省广元市旺苍县东河镇红军路128号"),

    # ---- 青川县 (510822)
    _dept("qc_police", "青川县公安局", "青川县公安局", "510822", "police", "qc_center",
          "0839-7202110", "四川省广元市青川县乔庄镇青竹路66号"),
    _dept("qc_hrss", "青川县人力资源和社会保障局", "青川县人社局", "510822", "hrss", "qc_center",
          "0839-7202601", "四川省广元市青川县乔庄镇青竹路18号"),
    _dept("qc_medical_insurance", "青川县医疗保障局", "青川县医保局", "510822", "medical_insurance",
          "qc_center", "0839-7202602", "四川省广元市青川县乔庄镇青竹路18号"),
    _dept("qc_market", "青川县市场监督管理局", "青川县市场监管局", "510822", "market", "qc_center",
          "0839-7202603", "四川省广元市青川县乔庄镇新城路9号"),
    _dept("qc_civil_affairs", "青川县民政局", "青川县民政局", "510822", "civil_affairs", "qc_center",
          "0839-7202604", "四川省广元市青川县乔庄镇青竹路18号"),
    _dept("qc_natural_resources", "青川县自然资源局", "青川县自然资源局", "510822", "natural_resources",
          "qc_center", "0839-7202605", "四川省广元市青川县乔庄镇新城路27号"),
    _dept("qc_housing_fund", "广元市住房公积金管理中心青川管理部", "市公积金中心青川管理部", "510822",
          "housing_fund", "qc_center", "0839-7202606", "四川省广元市青川县乔庄镇青竹路18号"),

    # ---- 剑阁县 (510823)
    _dept("jg_police", "剑阁县公安局", "剑阁县公安局", "510823", "police", "jg_center",
          "0839-6622110", "四川省广元市剑阁县下寺镇剑门路120号"),
    _dept("jg_hrss", "剑阁县人力资源和社会保障局", "剑阁县人社局", "510823", "hrss", "jg_center",
          "0839-6622601", "四川省广元市剑阁县下寺镇剑门路66号"),
    _dept("jg_medical_insurance", "剑阁县医疗保障局", "剑阁县医保局", "510823", "medical_insurance",
          "jg_center", "0839-6622602", "四川省广元市剑阁县下寺镇剑门路66号"),
    _dept("jg_market", "剑阁县市场监督管理局", "剑阁县市场监管局", "510823", "market", "jg_center",
          "0839-6622603", "四川省广元市剑阁县下寺镇滨河路15号"),
    _dept("jg_civil_affairs", "剑阁县民政局", "剑阁县民政局", "510823", "civil_affairs", "jg_center",
          "0839-6622604", "四川省广元市剑阁县下寺镇剑门路66号"),
    _dept("jg_natural_resources", "剑阁县自然资源局", "剑阁县自然资源局", "510823", "natural_resources",
          "jg_center", "0839-6622605", "四川省广元市剑阁县下寺镇滨河路33号"),
    _dept("jg_housing_fund", "广元市住房公积金管理中心剑阁管理部", "市公积金中心剑阁管理部", "510823",
          "housing_fund", "jg_center", "0839-6622606", "四川省广元市剑阁县下寺镇剑门路66号"),

    # ---- 苍溪县 (510824)
    _dept("cx_police", "苍溪县公安局", "苍溪县公安局", "510824", "police", "cx_center",
          "0839-5222110", "四川省广元市苍溪县陵江镇红军路88号"),
    _dept("cx_hrss", "苍溪县人力资源和社会保障局", "苍溪县人社局", "510824", "hrss", "cx_center",
          "0839-5222601", "四川省广元市苍溪县陵江镇江南干道二段99号"),
    _dept("cx_medical_insurance", "苍溪县医疗保障局", "苍溪县医保局", "510824", "medical_insurance",
          "cx_center", "0839-5222602", "四川省广元市苍溪县陵江镇江南干道二段99号"),
    _dept("cx_market", "苍溪县市场监督管理局", "苍溪县市场监管局", "510824", "market", "cx_center",
          "0839-5222603", "四川省广元市苍溪县陵江镇滨江路42号"),
    _dept("cx_civil_affairs", "苍溪县民政局", "苍溪县民政局", "510824", "civil_affairs", "cx_center",
          "0839-5222604", "四川省广元市苍溪县陵江镇江南干道二段99号"),
    _dept("cx_natural_resources", "苍溪县自然资源局", "苍溪县自然资源局", "510824", "natural_resources",
          "cx_center", "0839-5222605", "四川省广元市苍溪县陵江镇北门路51号"),
    _dept("cx_housing_fund", "广元市住房公积金管理中心苍溪管理部", "市公积金中心苍溪管理部", "510824",
          "housing_fund", "cx_center", "0839-5222606", "四川省广元市苍溪县陵江镇江南干道二段99号"),

    # ---- 广元经济技术开发区 (gy_kfq): branch offices of the city bureaus (names illustrative)
    _dept("kfq_police", "广元市公安局经济技术开发区分局", "经开区公安分局", "gy_kfq", "police", "kfq_center",
          "0839-3382110", "四川省广元市利州区下西坝经开区管委会"),
    _dept("kfq_hrss", "广元市人力资源和社会保障局经济技术开发区分局", "经开区人社分局", "gy_kfq", "hrss",
          "kfq_center", "0839-3382601", "四川省广元市利州区下西坝经开区管委会"),
    _dept("kfq_medical_insurance", "广元市医疗保障局经济技术开发区分局", "经开区医保分局", "gy_kfq",
          "medical_insurance", "kfq_center", "0839-3382602", "四川省广元市利州区下西坝经开区管委会"),
    _dept("kfq_market", "广元市市场监督管理局经济技术开发区分局", "经开区市场监管分局", "gy_kfq", "market",
          "kfq_center", "0839-3382603", "四川省广元市利州区下西坝经开区管委会"),
]

# --------------------------------------------------------------------------- handling types
# Order as in 广政公函〔2023〕33号.
HANDLING_TYPES: list[dict] = [
    {"code": "kuasheng", "name": "跨省通办", "name_en": "Inter-provincial", "nationwide": True, "regions": [],
     "description": "全国高频政务服务“跨省通办”事项（国办发〔2020〕35号、国办发〔2022〕34号所附清单），"
                    "申请人可在全国任一通办窗口提交，由受理地窗口代收、寄递至事项所属地审批部门办理。"},
    {"code": "shengnei", "name": "省内通办", "name_en": "Intra-provincial", "nationwide": False,
     "regions": ["510000"],
     "description": "四川省内“省内通办”事项，省内各市（州）、县（市、区）政务服务中心及乡镇（街道）"
                    "便民服务中心均可代收代办。"},
    {"code": "chuanyu", "name": "川渝通办", "name_en": "Sichuan–Chongqing", "nationwide": False,
     "regions": ["510000", "500000"],
     "description": "成渝地区双城经济圈建设框架下的“川渝通办”事项清单，川渝两地通办窗口互相代收代办、"
                    "异地受理、属地办理。"},
    {"code": "hangguang", "name": "杭广通办", "name_en": "Hangzhou–Guangyuan", "nationwide": False,
     "regions": ["330100", "510800"],
     "description": "杭州市与广元市东西部协作框架下的“杭广通办”事项，服务在杭务工的广元籍群众和两地企业，"
                    "两地政务服务中心互设通办窗口。"},
    {"code": "xinan5", "name": "西南五省通办", "name_en": "Southwest five provinces", "nationwide": False,
     "regions": ["510000", "500000", "520000", "530000", "540000"],
     "description": "川、渝、黔、滇、藏西南五省（区、市）政务服务“跨省通办”合作事项，五地通办窗口互认、"
                    "代收代办。"},
]

# --------------------------------------------------------------------------- matters


def _m(name, copies=1, form="original", required=True, original_check=False, note="", deferrable=False):
    """One material of a matter (``deferrable``: 可容缺, accepted missing against a written promise)."""
    return {"name": name, "copies": copies, "form": form, "required": required,
            "original_check": original_check, "deferrable": deferrable, "note": note}


_ID_CARD = "居民身份证"
_ID_NOTE = "核验原件，留存复印件"

MATTERS: list[dict] = [
    # ================================================================ 人社
    {"code": "KYTB-HRSS-001", "name": "社会保障卡申领", "line": "hrss",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "hangguang", "xinan5"],
     "legal_limit_days": 20, "promised_limit_days": 10,
     "fee_note": "首次申领不收费；补领、换领按参保地规定执行",
     "consult_phone": "0839-3266012",
     "acceptance_conditions": "在参保地已参加社会保险、尚未持有有效社会保障卡的人员；"
                              "未成年人由监护人代为申请。",
     "review_points": "1. 核验申请人身份证件与本人一致；2. 登记表信息（姓名、证件号码、参保地）填写完整准确；"
                      "3. 相片符合制卡标准（白底、免冠、近6个月内）；4. 代办的核验监护关系或委托书。",
     "materials": [
         _m(_ID_CARD, form="copy", original_check=True, note=_ID_NOTE),
         _m("社会保障卡申领登记表", note="申请人签字确认"),
         _m("近期免冠白底彩色证件照片（或现场采集）", copies=2, required=False,
            note="已在公安部门采集相片的可免于提交"),
         _m("监护人居民身份证及户口簿（未成年人申领时）", form="copy", required=False,
            original_check=True, note="核验原件，留存复印件"),
     ]},
    {"code": "KYTB-HRSS-002", "name": "企业职工基本养老保险关系转移接续", "line": "hrss",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "xinan5"],
     "legal_limit_days": 45, "promised_limit_days": 30,
     "fee_note": "不收费",
     "consult_phone": "0839-3266012",
     "acceptance_conditions": "参加企业职工基本养老保险、跨统筹地区流动就业并在新就业地参保的人员，"
                              "未达到待遇领取条件。",
     "review_points": "1. 核验申请人身份；2. 申请表中转出地、转入地社会保险经办机构信息准确；"
                      "3. 转出地参保缴费凭证与系统记录一致；4. 不存在重复参保、重复领取待遇情形。",
     "materials": [
         _m("居民身份证或社会保障卡", form="copy", original_check=True, note=_ID_NOTE),
         _m("基本养老保险关系转移接续申请表"),
         _m("参保缴费凭证（转出地社会保险经办机构出具）", form="copy", required=False,
            note="可通过全国社会保险信息系统获取的免于提交"),
     ]},
    {"code": "KYTB-HRSS-003", "name": "失业保险金申领", "line": "hrss",
     # 远程预审: 苍溪县人社局 looks at the scans before the parcel leaves (half a working day)
     "precheck": True, "precheck_hours": 4,
     "handling_types": ["kuasheng", "shengnei", "chuanyu"],
     "legal_limit_days": 10, "promised_limit_days": 5,
     "fee_note": "不收费",
     "consult_phone": "0839-3266012",
     "acceptance_conditions": "失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，"
                              "已进行失业登记并有求职要求。",
     "review_points": "1. 核验申请人身份；2. 解除或终止劳动合同证明真实有效、非本人意愿中断就业；"
                      "3. 领取账户为本人社会保障卡金融账户或本人银行账户；4. 未同时领取养老保险待遇。",
     "materials": [
         _m("居民身份证或社会保障卡", form="copy", original_check=True, note=_ID_NOTE),
         _m("终止或者解除劳动合同的证明", form="copy", original_check=True,
            note="核验原件，留存复印件；已联网共享的可免于提交"),
         _m("失业保险金申领登记表"),
         _m("本人银行账户信息（社会保障卡金融账户优先）", form="copy", required=False),
     ]},
    {"code": "KYTB-HRSS-004", "name": "就业创业证申领", "line": "hrss",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "hangguang"],
     "legal_limit_days": 10, "promised_limit_days": 5,
     "fee_note": "不收费",
     "consult_phone": "0839-3266012",
     "acceptance_conditions": "法定劳动年龄内、有劳动能力和就业要求的城乡劳动者，"
                              "包括失业人员、灵活就业人员和创业人员。",
     "review_points": "1. 核验申请人身份及年龄在法定劳动年龄内；2. 登记表就业、失业状态填写准确；"
                      "3. 核查是否已持有就业创业证，避免重复发放。",
     "materials": [
         _m(_ID_CARD, form="copy", original_check=True, note=_ID_NOTE),
         _m("就业创业证申领登记表"),
         _m("近期一寸免冠彩色照片", copies=2, required=False, note="可现场采集"),
     ]},
    {"code": "KYTB-HRSS-005", "name": "职业资格证书核验", "line": "hrss",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "xinan5"],
     "legal_limit_days": 5, "promised_limit_days": 3,
     "fee_note": "不收费",
     "consult_phone": "0839-3266012",
     "acceptance_conditions": "持有人力资源社会保障部门颁发的职业资格证书、需核验证书真伪的个人或用人单位。",
     "review_points": "1. 证书编号、持证人姓名、证件号码与申请一致；2. 证书原件与复印件一致；"
                      "3. 单位申请的核验单位介绍信及经办人身份。",
     "materials": [
         _m("持证人居民身份证", form="copy", original_check=True, note=_ID_NOTE),
         _m("职业资格证书", form="copy", original_check=True, note="核验原件，留存复印件"),
         _m("用人单位核验介绍信（单位申请时）", required=False),
     ]},

    # ================================================================ 医保
    {"code": "KYTB-MI-001", "name": "基本医疗保险参保信息变更", "line": "medical_insurance",
     "handling_types": ["kuasheng", "shengnei", "chuanyu"],
     "legal_limit_days": 10, "promised_limit_days": 3,
     "fee_note": "不收费",
     "consult_phone": "0839-3268012",
     "acceptance_conditions": "已参加基本医疗保险、个人基础信息（姓名、证件号码、联系方式、户籍等）"
                              "发生变化或登记有误的参保人员。",
     "review_points": "1. 核验参保人身份；2. 变更事项与证明材料一致（如公安机关出具的姓名、证件号码变更证明）；"
                      "3. 变更登记表由本人签字。",
     "materials": [
         _m("居民身份证或社会保障卡", form="copy", original_check=True, note=_ID_NOTE),
         _m("参保人员信息变更登记表"),
         _m("信息变更的证明材料（户口簿变更页、公安机关出具的身份信息变更证明等）", form="copy",
            original_check=True, note="核验原件，留存复印件"),
     ]},
    {"code": "KYTB-MI-002", "name": "异地就医登记备案", "line": "medical_insurance",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "hangguang", "xinan5"],
     "legal_limit_days": 5, "promised_limit_days": 2,
     "fee_note": "不收费",
     "consult_phone": "0839-3268012",
     "acceptance_conditions": "参加基本医疗保险，属于异地长期居住、常驻异地工作、异地转诊就医或"
                              "临时外出就医的参保人员。",
     "review_points": "1. 核验参保人身份及参保状态正常；2. 备案类型与所附证明或承诺一致；"
                      "3. 就医地、备案有效期填写完整。",
     "materials": [
         _m("医保电子凭证、社会保障卡或居民身份证", form="copy", original_check=True, note=_ID_NOTE),
         _m("跨省异地就医登记备案表"),
         _m("异地长期居住或常驻异地工作的证明材料（居住证、工作证明等）或个人承诺书", form="copy",
            required=False, note="选择承诺制的可以个人承诺书代替"),
     ]},
    {"code": "KYTB-MI-003", "name": "基本医疗保险关系转移接续", "line": "medical_insurance",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "xinan5"],
     "legal_limit_days": 45, "promised_limit_days": 15,
     "fee_note": "不收费",
     "consult_phone": "0839-3268012",
     "acceptance_conditions": "跨统筹地区流动就业、已在新参保地参加基本医疗保险的人员。",
     "review_points": "1. 核验申请人身份；2. 转出地参保凭证信息与系统一致；3. 不存在在两地同时参保情形。",
     "materials": [
         _m("居民身份证或社会保障卡", form="copy", original_check=True, note=_ID_NOTE),
         _m("基本医疗保障关系转移接续申请表"),
         _m("参保（合）凭证（转出地医疗保障经办机构出具）", form="copy", required=False,
            note="可通过国家医保信息平台获取的免于提交"),
     ]},

    # ================================================================ 公安
    {"code": "KYTB-POL-001", "name": "居民身份证换领、补领", "line": "police",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "xinan5"],
     "legal_limit_days": 60, "promised_limit_days": 30,
     "fee_note": "工本费：换领20元，补领40元；申领临时居民身份证10元",
     "consult_phone": "0839-3303110",
     "acceptance_conditions": "居民身份证有效期满、证件损坏或登记项目变更需换领，或证件遗失需补领的中国公民。",
     "review_points": "1. 通过人口信息系统核对申请人身份；2. 现场采集相片与指纹并核验；"
                      "3. 换领的收回原证；补领的确认挂失；4. 按规定收取工本费并开具票据。",
     "materials": [
         _m("居民身份证申领登记表（现场填写）"),
         _m("符合标准的居民身份证数码相片（现场采集或相馆回执）", deferrable=True),
         _m("原居民身份证（换领时交回）", required=False, original_check=True, note="换领时收回"),
         _m("居民户口簿", required=False, form="copy", original_check=True,
            note="户籍信息需核对时提供，核验原件"),
     ]},
    {"code": "KYTB-POL-002", "name": "户口迁移", "line": "police",
     "handling_types": ["kuasheng", "shengnei", "chuanyu"],
     "legal_limit_days": 20, "promised_limit_days": 10,
     "fee_note": "不收费",
     "consult_phone": "0839-3303110",
     "acceptance_conditions": "符合迁入地落户政策（购房、投靠、就业、毕业等）、申请将户口迁入的人员，"
                              "实行“迁入地一站式办理”。",
     "review_points": "1. 核验申请人及代理人身份；2. 落户依据材料真实有效、符合迁入地落户条件；"
                      "3. 随迁人员关系证明齐全；4. 申请表由申请人签字。",
     "materials": [
         _m("申请人及代理人身份证明（居民身份证、户口簿或者其他有效身份证明材料）", form="copy",
            original_check=True, note=_ID_NOTE),
         _m("户口迁移申请表"),
         _m("迁入地落户依据材料（不动产权证书、结婚证、毕业证书、劳动合同等）", form="copy",
            original_check=True, note="按落户类型提供，核验原件"),
         _m("随迁未成年子女出生医学证明", form="copy", required=False, original_check=True),
     ]},
    {"code": "KYTB-POL-003", "name": "无犯罪记录证明开具", "line": "police",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "hangguang", "xinan5"],
     "legal_limit_days": 7, "promised_limit_days": 3,
     "fee_note": "不收费",
     "consult_phone": "0839-3303110",
     "acceptance_conditions": "户籍地或居住地在本辖区、因就业、出国（境）等需要开具无犯罪记录证明的个人。",
     "review_points": "1. 核验申请人身份；2. 代办的核验授权委托书及受托人身份；3. 证明用途填写明确。",
     "materials": [
         _m("申请人居民身份证", form="copy", original_check=True, note=_ID_NOTE),
         _m("无犯罪记录证明申请表"),
         _m("授权委托书及受托人居民身份证（委托代办时）", form="copy", required=False,
            original_check=True),
     ]},

    # ================================================================ 市场监管
    {"code": "KYTB-MKT-001", "name": "个体工商户设立登记", "line": "market",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "hangguang", "xinan5"],
     "legal_limit_days": 3, "promised_limit_days": 1,
     "fee_note": "不收费",
     "consult_phone": "0839-3262315",
     "acceptance_conditions": "有经营能力的公民在登记机关辖区内从事工商业经营，名称、经营场所、经营范围符合规定。",
     "review_points": "1. 申请书由经营者签字；2. 经营者身份证明与本人一致；"
                      "3. 经营场所信息符合当地住所登记规定；4. 经营范围按规范表述。",
     "materials": [
         _m("个体工商户登记（备案）申请书"),
         _m("经营者身份证明", form="copy", original_check=True, note=_ID_NOTE),
         _m("经营场所使用相关文件或住所（经营场所）申报承诺书", form="copy"),
         _m("委托代理人身份证明及授权委托书（委托办理时）", form="copy", required=False,
            original_check=True),
     ]},
    {"code": "KYTB-MKT-002", "name": "企业变更登记", "line": "market",
     "handling_types": ["kuasheng", "shengnei", "chuanyu"],
     "legal_limit_days": 3, "promised_limit_days": 1,
     "fee_note": "不收费",
     "consult_phone": "0839-3262315",
     "acceptance_conditions": "已登记企业的名称、住所、法定代表人、注册资本、经营范围等登记事项发生变更。",
     "review_points": "1. 变更登记申请书由法定代表人签署；2. 决议或决定的表决程序符合章程；"
                      "3. 章程修正案与变更事项一致；4. 收回原营业执照正、副本。",
     "materials": [
         _m("公司变更登记申请书"),
         _m("股东会决议或者股东决定（依法作出的变更决议、决定）"),
         _m("公司章程修正案（涉及章程修改的）", required=False),
         _m("营业执照正、副本", original_check=True, note="换发新照时收回"),
         _m("经办人身份证明", form="copy", original_check=True, note=_ID_NOTE),
     ]},

    # ================================================================ 民政
    {"code": "KYTB-CA-001", "name": "残疾人两项补贴资格认定申请", "line": "civil_affairs",
     "handling_types": ["kuasheng", "shengnei", "chuanyu"],
     "legal_limit_days": 30, "promised_limit_days": 20,
     "fee_note": "不收费",
     "consult_phone": "0839-3267012",
     "acceptance_conditions": "户籍地在本辖区、持有第二代残疾人证，属于低保家庭中的残疾人（生活补贴）"
                              "或残疾等级为一、二级且需长期照护的重度残疾人（护理补贴）。",
     "review_points": "1. 核验申请人身份与户籍；2. 残疾人证等级、类别与申请补贴类别相符；"
                      "3. 申请审批表填写完整、签字齐全；4. 发放账户为本人账户。",
     "materials": [
         _m("申请人居民身份证、户口簿", form="copy", original_check=True, note=_ID_NOTE),
         _m("中华人民共和国残疾人证（第二代）", form="copy", original_check=True,
            note="核验原件，留存复印件"),
         _m("困难残疾人生活补贴和重度残疾人护理补贴申请审批表", copies=2),
         _m("委托代办人身份证及委托书（本人行动不便委托代办时）", form="copy", required=False),
     ]},

    # ================================================================ 自然资源
    {"code": "KYTB-NR-001", "name": "不动产登记资料查询", "line": "natural_resources",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "xinan5"],
     "legal_limit_days": 5, "promised_limit_days": 3,
     "fee_note": "不收费",
     "consult_phone": "0839-3269012",
     "acceptance_conditions": "不动产权利人、利害关系人及有关国家机关依法查询不动产登记资料。",
     "review_points": "1. 查询人身份证明与申请书一致；2. 利害关系人查询的利害关系证明充分；"
                      "3. 委托查询的授权委托书有效；4. 查询目的和范围明确。",
     "materials": [
         _m("不动产登记资料查询申请书"),
         _m("查询人身份证明", form="copy", original_check=True, note=_ID_NOTE),
         _m("利害关系证明材料（利害关系人查询时）", form="copy", required=False, original_check=True),
         _m("授权委托书及受托人身份证明（委托查询时）", form="copy", required=False, original_check=True),
     ]},

    # ================================================================ 住房公积金
    {"code": "KYTB-HF-001", "name": "住房公积金单位登记开户", "line": "housing_fund",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "hangguang"],
     "legal_limit_days": 5, "promised_limit_days": 3,
     "fee_note": "不收费",
     "consult_phone": "0839-3284567",
     "acceptance_conditions": "在本市新设立或首次缴存住房公积金的单位（含机关、事业单位、企业、民办非企业单位等）。",
     "review_points": "1. 单位名称、统一社会信用代码与营业执照一致；2. 缴存登记表加盖单位公章；"
                      "3. 经办人授权委托书及身份证明有效。",
     "materials": [
         _m("住房公积金单位缴存登记表", note="加盖单位公章"),
         _m("营业执照或其他设立批准文件", form="copy", original_check=True, note="核验原件，复印件加盖公章"),
         _m("单位经办人授权委托书", deferrable=True),
         _m("经办人居民身份证", form="copy", original_check=True, note=_ID_NOTE),
     ]},
    {"code": "KYTB-HF-002", "name": "提前还清住房公积金贷款", "line": "housing_fund",
     "handling_types": ["kuasheng", "shengnei", "chuanyu"],
     "legal_limit_days": 5, "promised_limit_days": 2,
     "fee_note": "不收费，不收取提前还款违约金",
     "consult_phone": "0839-3284567",
     "acceptance_conditions": "在本市住房公积金管理中心办理个人住房贷款、贷款状态正常，借款人申请一次性结清。",
     "review_points": "1. 核验借款人身份；2. 借款合同编号与贷款记录一致；3. 还款账户余额足以结清本息。",
     "materials": [
         _m("借款人居民身份证", form="copy", original_check=True, note=_ID_NOTE),
         _m("住房公积金个人住房借款合同", form="copy", original_check=True),
         _m("提前还款申请书"),
     ]},
    {"code": "KYTB-HF-003", "name": "住房公积金异地转移接续", "line": "housing_fund",
     "handling_types": ["kuasheng", "shengnei", "chuanyu", "hangguang", "xinan5"],
     "legal_limit_days": 15, "promised_limit_days": 10,
     "fee_note": "不收费",
     "consult_phone": "0839-3284567",
     "acceptance_conditions": "跨城市就业、已在转入地开立住房公积金个人账户并正常缴存，"
                              "转出地账户已封存、无未结清住房公积金贷款的职工。",
     "review_points": "1. 核验职工身份；2. 转入地个人账户状态正常；3. 转出地账户已封存、无未结清贷款。",
     "materials": [
         _m(_ID_CARD, form="copy", original_check=True, note=_ID_NOTE),
         _m("住房公积金异地转移接续申请表"),
     ]},
    {"code": "KYTB-HF-004", "name": "开具住房公积金个人住房贷款全部还清证明", "line": "housing_fund",
     "handling_types": ["kuasheng", "shengnei", "chuanyu"],
     "legal_limit_days": 5, "promised_limit_days": 3,
     "fee_note": "不收费",
     "consult_phone": "0839-3284567",
     "acceptance_conditions": "住房公积金个人住房贷款已全部还清的借款人。",
     "review_points": "1. 核验借款人身份；2. 贷款已结清无逾期；3. 委托代办的授权委托书有效。",
     "materials": [
         _m("借款人居民身份证", form="copy", original_check=True, note=_ID_NOTE),
         _m("授权委托书及受托人居民身份证（委托办理时）", form="copy", required=False, original_check=True),
     ]},
]

# --------------------------------------------------------------------------- users


def _user(username, family_name, given_name, role, *, center=None, department=None, county=None,
          display_name=None, extra_roles=()):
    """A demo account: the e-mail follows the user name; the name shows as Chinese writes it, family name first.
    ``extra_roles`` are held beside ``role`` (an approver is an officer too)."""
    return {"username": username, "first_name": given_name, "last_name": family_name,
            "display_name": display_name or family_name + given_name, "email": f"{username}@gy-demo.example.cn",
            "role": role, "center": center, "department": department, "county": county,
            "extra_roles": tuple(extra_roles)}


USERS: list[dict] = [
    _user("admin", "管理员", "系统", "Admin", display_name="系统管理员"),
    _user("city_super", "赵", "明远", "CitySupervisor", center="city_center"),
    _user("lz_admin", "李", "晓燕", "CountyAdmin", county="510802"),
    _user("cx_admin", "何", "志强", "CountyAdmin", county="510824"),
    _user("lz_window", "张", "丽", "WindowClerk", center="lz_center"),
    _user("cx_window", "杜", "小娟", "WindowClerk", center="cx_center"),
    _user("lz_hrss", "刘", "洋", "DepartmentOfficer", department="lz_hrss"),
    _user("cx_hrss", "蒲", "文斌", "DepartmentOfficer", department="cx_hrss"),
    # 审批负责人 of the Cangxi human resources bureau: approves extensions (延期, Art. 42)
    _user("cx_hrss_head", "罗", "建华", "DepartmentOfficer", department="cx_hrss", extra_roles=("Approver",)),
    _user("lz_police", "王", "建国", "DepartmentOfficer", department="lz_police"),
    _user("cx_police", "苟", "永红", "DepartmentOfficer", department="cx_police"),
    _user("city_hrss", "陈", "思远", "CityDepartment", department="city_hrss"),
]

# --------------------------------------------------------------------------- 宣传推广 (the portal's articles)
# Illustrative texts written for the demonstration, after the notice 广政公函〔2023〕33号 and the public 川渝通办
# practice; dates are examples.

ARTICLES: list[dict] = [
    {
        "title": "广元市政务服务“跨域通办”：异地事项，就近窗口即可办",
        "category": "news",
        "published_on": "2026-11-02",
        "summary": "在广元各县(区)政务服务中心的“跨域通办”综合窗口，可以代收省外、省内其他地区的政务服务事项，"
                   "材料由窗口免费寄递，办理进度可凭编号和手机号随时查询。",
        "body": "为解决企业和群众异地办事“多地跑”“折返跑”的问题，广元市在市、县(区)政务服务中心设立"
                "“跨域通办”综合窗口，按照“收受分离、异地代收、就近办理”的方式，为申请人代收其他地区的政务服务事项。\n\n"
                "申请人只需携带申请材料到就近的“跨域通办”窗口，窗口工作人员对照属地部门的审核要点和样本样表进行形式审查，"
                "核验原件后出具《受理(代收)通知书》，并在 1 个工作日内通过邮政快递将材料寄送属地窗口。\n\n"
                "属地审批部门在承诺时限内办结后，办理结果可以选择到收件窗口领取，也可以邮寄到家。"
                "办理过程中需要补正材料的，窗口会一次性告知需要补正的全部内容。\n\n"
                "受理后，您会收到短信。凭受理编号和申请时留的手机号，或扫描受理(代收)通知书上的二维码，"
                "即可在本网站“办件查询”中查看办理进度；办结送达后，欢迎对窗口服务作出评价。",
    },
    {
        "title": "川渝通办：社保、户籍、医保等高频事项在广元可以就近办理",
        "category": "policy",
        "published_on": "2026-10-15",
        "summary": "川渝两地政务服务“一网通办”“异地可办”持续深化。广元的“跨域通办”窗口可代收重庆市的川渝通办事项，"
                   "在重庆工作生活的广元籍群众也可在当地窗口办理广元事项。",
        "body": "根据川渝两地关于推进政务服务“川渝通办”的部署，社会保障、户籍、医疗保障、市场主体登记等领域的高频事项"
                "已纳入川渝通办事项清单，两地群众可以选择就近窗口提交申请。\n\n"
                "在广元办理重庆市的事项：请到市或县(区)政务服务中心的“跨域通办”综合窗口，窗口代收材料后寄送重庆的属地窗口，"
                "由重庆的审批部门办理，结果可回寄广元窗口领取或邮寄到家。\n\n"
                "办理前，建议先在本网站查看该事项的办事指南：受理条件、申请材料、样表、办理时限和到现场次数都写在指南里，"
                "材料带齐可以少跑一次。\n\n"
                "政策咨询可拨打各窗口电话，对服务不满意可拨打 12345 政务服务便民热线投诉。",
    },
    {
        "title": "办事小贴士：去窗口之前，这四件事先做好",
        "category": "news",
        "published_on": "2026-11-20",
        "summary": "看清办事指南、下载并填好样表、带齐原件、留对手机号——四个小准备，让异地事项一次办好。",
        "body": "一、先查办事指南。在本网站首页搜索事项名称，查看受理条件和申请材料清单，注意哪些材料要原件、哪些要复印件、各几份。\n\n"
                "二、下载样表。指南中标有“样表下载”的材料，可以先下载样表，对照填写，避免因填写不规范而补正。\n\n"
                "三、带齐原件。窗口需要核验身份证件等原件，核验后当场退还；复印件请提前准备好。\n\n"
                "四、留对手机号。受理、寄出、补正、办结、送达时都会有短信通知，查询办理进度也需要这个手机号。\n\n"
                "年长的朋友可以点击页面右上角的“大字版”，字更大、更清楚；也可以请家人代为查询。",
    },
]

# --- 好差评: one delivered demo case rated 不满意, with its open rectification (issue 13) ---------------------
# An illustrative applicant (the ID number is the standard's sample, the phone a made-up one); the case runs
# through the real steps from 利州区's window to 苍溪县人社局 and back, and the applicant rates it by the SMS link.
RATED_CASE = {
    "remark": "演示数据：已送达并评价为不满意的办件（好差评整改）",
    "applicant": {
        "applicant_name": "赵丽华", "applicant_id_type": "resident_id", "applicant_id_number": "11010519491231002X",
        "applicant_phone": "13908120457", "applicant_address": "四川省广元市利州区南河街道滨河路二段66号",
        "applicant_postcode": "628000",
    },
    "matter": "KYTB-HRSS-001", "handling_type": "kuasheng",
    "origin_clerk": "lz_window", "home_center": "cx_center", "home_clerk": "cx_window",
    "department": "cx_hrss", "officer": "cx_hrss",
    "rating": {"level": 2, "tags": ["unclear", "more_trips"], "channel": "sms",
               "comment": "第一次去窗口时没有一次性告知需要户口簿原件，多跑了一趟。"},
}
#: a delivered case not rated yet: the visitor of the demo rates it on the portal (progress by number and phone)
DELIVERED_CASE = {
    "remark": "演示数据：已送达、待申请人评价的办件",
    "applicant": {
        "applicant_name": "钱志强", "applicant_id_type": "resident_id", "applicant_id_number": "110105194912310046",
        "applicant_phone": "13908120458", "applicant_address": "四川省广元市利州区东坝街道嘉陵路1号",
        "applicant_postcode": "628000",
    },
    "matter": "KYTB-HRSS-001", "handling_type": "kuasheng",
    "origin_clerk": "lz_window", "home_center": "cx_center", "home_clerk": "cx_window",
    "department": "cx_hrss", "officer": "cx_hrss",
    "waybills": ("EMS1000000003CN", "EMS1000000004CN"),
}

# --- 督办 (issue 14): one open order and one answered, on the two demo cases of 苍溪县 -------------------------
SUPERVISION_ORDERS: list[dict] = [
    {"case": "演示数据：已送达并评价为不满意的办件（好差评整改）", "issuer": "city_super", "side": "home_window",
     "days": 3, "instruction": "申请人通过12345反映结果送达前等待时间较长，请属地窗口核实寄递和签收各环节用时，"
                              "说明原因并提出改进措施。",
     "reply": {"by": "cx_window", "text": "经核实，材料签收后当日转送人社局，结果于办结次日寄回；等待主要在邮路。"
                                        "已与邮政约定次日达，今后结果当日寄出。"}},
    {"case": "演示数据：已送达、待申请人评价的办件", "issuer": "cx_admin", "side": "department", "days": 2,
     "instruction": "请说明本件办理用时及是否存在超时风险，并于期限内反馈。"},
]
