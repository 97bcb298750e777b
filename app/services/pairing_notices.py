"""Who hears of the pairing domain's actions (agreements 结对协议, outcome reports 成效报告)."""

from sqlmodel import Session

from app.models import OutcomeReport, PairingAgreement
from app.models.enums import RecipientKind as K
from app.services.notice_rules import Notices, Parties, notice

ACTIONS = {
    "agreement.propose": notice("收到新的结对帮扶提议", K.village),
    # A draft from the coverage plan goes to the enterprise; the village hears when it accepts.
    "agreement.plan": notice("乡村振兴局规划了结对草案，请确认承诺", K.enterprise),
    "agreement.accept": notice("收到新的结对帮扶提议", K.village),
    "agreement.refuse": notice("规划结对已被帮扶主体谢绝", K.village),
    "agreement.revise": notice("结对提议的承诺已修改", K.village),
    "agreement.sign": notice("结对提议已签约", K.enterprise),
    "agreement.decline": notice("结对提议被婉拒", K.enterprise),
    "agreement.withdraw": notice("结对提议已撤回", K.village),
    "agreement.return": notice("结对协议备案被退回修改", K.enterprise, K.village),
    "agreement.resubmit": notice("结对协议修改后重新提交签约", K.village),
    "agreement.file": notice("结对协议已备案生效", K.enterprise, K.village),
    "agreement.complete": notice("结对协议已办结", K.enterprise, K.village),
    "agreement.terminate": notice("结对协议提前终止", K.enterprise, K.village),
    "agreement.remind": notice("乡村振兴局催报成效报告", K.enterprise),
    "agreement.waive": notice("季度成效报告已免报", K.enterprise, K.village),
    "report.submit": notice("收到待确认的成效报告", K.village),
    "report.resubmit": notice("成效报告已修改后重新提交", K.village),
    "report.confirm": notice("成效报告已经村确认", K.enterprise),
    "report.verify": notice("成效报告已核实", K.enterprise, K.village),
    "report.return": notice("成效报告被退回修改", K.enterprise),
    "report.correct": notice("已核实的成效报告已更正，待重新确认", K.village),
}


def _agreement(session: Session, agreement: PairingAgreement) -> Parties:
    ids = {K.enterprise: agreement.enterprise_id, K.village: agreement.village_id}
    return Parties(ids, f"/agreements/{agreement.id}")


def _report(session: Session, report: OutcomeReport) -> Parties:
    agreement = session.get(PairingAgreement, report.agreement_id)
    ids = {K.enterprise: agreement.enterprise_id, K.village: agreement.village_id}
    return Parties(ids, f"/reports/{report.id}")


NOTICES = Notices(ACTIONS, {PairingAgreement: _agreement, OutcomeReport: _report})
