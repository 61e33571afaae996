"""How real rosters spell things: the one table of synonyms the importer reads (data only).

Schools, community offices and WPS users write the same column and value many ways. Add a new
spelling here (never in the parsing code); headers are compared without spaces, asterisks, "（必填）"
and case, values without spaces and case.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# key: (header in the template, required, other spellings of the header). The template marks
# required columns with an asterisk; files are read with or without it.
COLUMNS = {
    "name": ("姓名", True, ("儿童姓名", "孩子姓名", "学生姓名", "幼儿姓名", "名字", "name")),
    "sex": ("性别", True, ("sex", "gender")),
    "birth_date": ("出生日期", True, ("出生年月日", "出生年月", "生日", "出生", "birth date", "date of birth",
                                  "birthday")),
    "grade": ("年级", True, ("新学年年级", "秋季年级", "就读年级", "所在年级", "年级（秋季）", "grade")),
    "school": ("学校", False, ("就读学校", "所在学校", "学校名称", "school")),
    "hometown": ("籍贯", False, ("老家", "户籍地", "户籍", "户籍所在地", "hometown")),
    "guardian_name": ("监护人姓名", True, ("家长姓名", "监护人", "家长", "联系人", "联系人姓名", "guardian",
                                      "guardian name")),
    "guardian_relation": ("与孩子关系", False, ("与儿童关系", "与学生关系", "与本人关系", "关系", "亲属关系",
                                           "监护人关系", "家长关系", "relation")),
    "guardian_phone": ("监护人电话", True, ("家长电话", "联系电话", "联系方式", "电话", "电话号码", "手机",
                                       "手机号", "手机号码", "家长手机", "家长手机号", "监护人手机",
                                       "guardian phone", "phone")),
    "guardian_employer": ("监护人工作单位", False, ("工作单位", "家长工作单位", "单位", "employer")),
    "allergies": ("过敏", False, ("过敏情况", "过敏史", "过敏源", "过敏物", "allergies")),
    "conditions": ("疾病/健康状况", False, ("健康状况", "疾病", "身体状况", "病史", "conditions")),
    "medicines": ("用药", False, ("用药情况", "服药", "服用药物", "medicines")),
    "high_risk": ("高风险（是/否）", False, ("高风险", "需重点关注", "重点关注", "high risk")),
    "may_go_home_alone": ("可独自回家（是/否）", False, ("可独自回家", "独自回家", "能否独自回家",
                                                  "may go home alone")),
    "notes": ("备注", False, ("说明", "其他", "其它", "备注说明", "其他情况", "notes", "remarks")),
    "paper_consent": ("纸质同意书签署日期", False, ("纸质同意书日期", "同意书签署日期", "同意书日期",
                                             "监护人同意书签署日期", "paper consent signed on")),
}

# Columns a roster may hold that are never imported, with the reason shown in the preview.
IGNORED = {
    "id_number": (("身份证号", "身份证", "身份证号码", "儿童身份证号", "证件号码", "学籍号"),
                  _l("ID numbers are not imported")),
    "row_number": (("序号", "编号", "no.", "no", "#"), _l("row numbers are not needed")),
}

# values ------------------------------------------------------------------------------------------
SEXES = {
    "m": ("男", "男孩", "男生", "男童", "m", "male", "boy"),
    "f": ("女", "女孩", "女生", "女童", "f", "female", "girl"),
}

# A relation written one of these ways is kept as the first spelling; any other relation (叔叔,
# 姑姑, 哥哥 …) is kept as written.
RELATIONS = (
    ("父亲", "爸爸", "父", "爸", "父子", "父女"),
    ("母亲", "妈妈", "母", "妈", "母子", "母女"),
    ("爷爷", "祖父"),
    ("奶奶", "祖母"),
    ("外公", "外祖父", "姥爷"),
    ("外婆", "外祖母", "姥姥"),
    ("其他", "其它"),
)

YES = ("是", "y", "yes", "1", "true", "√", "✓", "有", "对", "可以", "能", "需要")
NO = ("否", "n", "no", "0", "false", "", "无", "×", "不是", "没有", "不可以", "不能", "不需要", "/", "-")

# Grades: Chinese numerals, and the school stages in front of a number (小一 = 1, 初一 = 七年级 = 7).
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
PRIMARY_PREFIXES = ("小学", "小")
JUNIOR_PREFIXES = ("初中", "初")
GRADE_SUFFIXES = ("年级", "年")
