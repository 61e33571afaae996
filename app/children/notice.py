"""The guardian notice (告知书) that consent refers to. Each version is stored in
``consent_notices`` the first time it is used; a consent points at the exact text the guardian read.
A new version is a new entry here (never an edit of an old one)."""
from __future__ import annotations

from datetime import datetime

CURRENT_VERSION = "2025-1"

NOTICES = {
    "2025-1": (datetime(2025, 6, 1), """\
护航暑期托管项目 儿童个人信息处理告知书（2025年第1版）

尊敬的家长（监护人）：

您的孩子未满十四周岁，其个人信息属于《中华人民共和国个人信息保护法》第二十八条规定的敏感个人信息。在您阅读本告知书并单独同意之前，我们不会将孩子的信息用于报名和托管服务。

一、处理者与负责人
本项目由所在街道（镇）的暑期托管服务点组织实施，服务点社工为儿童个人信息保护负责人，联系方式见服务点公示栏。

二、处理目的
仅用于暑期托管的报名与名额安排、分班、考勤与接送核验、课业辅导与兴趣课程安排、饮食与健康安全照护（包括过敏与特殊健康情况的提醒）、突发情况时联系监护人，以及不含个人身份的匿名统计。

三、收集的信息
孩子的姓名、性别、出生日期、年级、就读学校、籍贯；过敏、疾病、用药情况及是否需要特别关注；监护人的姓名、关系、电话、工作单位；授权接送人的姓名、关系、电话；是否同意孩子独自回家；参加活动的考勤与学习进展。

四、保存期限与地点
信息保存在服务点使用的护航系统中（境内服务器），保存至本期托管结束后一年，用于后续服务衔接和问题核查；期满后删除或匿名化处理。法律法规另有规定的，从其规定。

五、谁能看到
仅限本服务点负责托管的社工和区级管理员查看完整信息；志愿者只能看到其负责活动中孩子的姓名和过敏、高风险等安全提示；不会向其他任何单位或个人提供、公开或出售。每一次查看和修改都有记录，可供核查。

六、您的权利
您可以随时向服务点社工申请查阅、复制、更正或删除孩子的信息，也可以撤回同意。删除后，系统仅保留不含个人身份的统计数字。撤回同意不影响撤回前已进行的处理，但孩子可能无法继续参加需要上述信息的托管服务。

七、安全措施
系统采用账号权限控制、访问记录、加密传输等措施保护孩子的信息；如发生信息安全事件，我们将及时告知您并向有关部门报告。

八、投诉与咨询
如对信息处理有疑问或投诉，可联系服务点社工，或向所在街道（镇）社会工作站、区民政局反映。

监护人确认：我已阅读并理解以上内容，同意服务点按本告知书处理我孩子的个人信息。
"""),
}


class NoticeText:
    """The notice in force as read from this module (what the consent page shows; nothing stored)."""

    def __init__(self, version: str = CURRENT_VERSION):
        self.version = version
        self.published_at, self.text = NOTICES[version]


def current_notice_text() -> NoticeText:
    return NoticeText(CURRENT_VERSION)
