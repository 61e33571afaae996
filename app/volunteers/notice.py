"""The privacy notice (告知书) a volunteer applicant agrees to on /join: what is kept, why, for how
long, who sees it and their rights. Shown at /join/<site>/privacy and linked from the form's "I
agree" line. A new version is a new entry here (never an edit of an old one); the text is the
Chinese the applicant reads, like the guardians' notice (app/children/notice.py)."""
from __future__ import annotations

CURRENT_VERSION = "2025-1"

NOTICES = {
    "2025-1": """\
一、谁处理您的信息
本项目由所在街道（镇）的暑期托管服务点组织实施，服务点社工负责志愿者个人信息的保护，联系方式见本页下方。

二、为什么处理
仅用于审核志愿者报名、联系您安排服务、核对身份与无犯罪记录查询结果、购买意外保险、登记和审核服务时长，以及出具志愿服务证明（民发〔2015〕149号）。

三、收集哪些信息
姓名、手机号、证件类型和证件号码、出生日期、能辅导的科目和特长、可服务时间、所在团队、报名理由；未满十八周岁的，还包括监护人的姓名、电话及其同意。

四、如何保护证件号码
证件号码不以明文保存：系统只保存用于查重和核对的加密摘要，以及只显示首尾字符的遮挡号码；证明上也只显示遮挡后的号码。

五、保存多久
报名未通过的，信息在处理完毕后删除；成为志愿者的，信息保存至您退出服务后三年，用于出具和核验服务证明；期满后删除或匿名化处理。法律法规另有规定的，从其规定。

六、谁能看到
仅限本服务点的社工和区级管理员；不会向其他单位或个人提供、公开或出售。每一次查看和修改都有记录。

七、您的权利
您可以随时向服务点社工申请查阅、复制、更正或删除您的信息，也可以撤回同意；撤回后将无法继续安排服务，但不影响撤回前已出具的服务证明。

八、投诉与咨询
如有疑问或投诉，可联系服务点社工，或向所在街道（镇）社会工作站、区民政局反映。""",
}


def current_notice() -> tuple[str, str]:
    """(version, text) of the notice applicants agree to now."""
    return CURRENT_VERSION, NOTICES[CURRENT_VERSION]
