"""The demo case: a small, invented investigation to explore the app with."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from caseapp.app import App
from caseapp.domain.enums import ContactChannel, PartyKind, PartyRole
from caseapp.domain.errors import NotFoundError
from caseapp.services.contacts import ContactFields
from caseapp.services.evidence import EvidenceFields
from caseapp.services.records import CaseRecord

DEMO_NUMBER = "DEMO-0001"


def _demo_file(name: str, target_dir: Path) -> Path:
    """Copy a demo resource to a real path (resources may live inside a bundle)."""
    data = (resources.files("caseapp.resources") / "demo" / name).read_bytes()
    path = target_dir / name
    path.write_bytes(data)
    return path


def ensure_demo_case(app: App) -> CaseRecord:
    """Create the demo case unless it exists; returns it. All names are invented."""
    try:
        return app.cases.get(DEMO_NUMBER)
    except NotFoundError:
        pass
    case = app.cases.create(
        number=DEMO_NUMBER,
        title="聚德法务中心代理投诉专案（演示）",
        organisation="演示银行 消费者权益保护部",
        summary="演示数据：某“法务中心”招揽负债客户，收取定金与服务费后批量代写投诉。",
    )
    org = app.parties.add(case.id, name="临沂市聚德法务中心", kind=PartyKind.ORG,
                          role=PartyRole.INTERMEDIARY,
                          identifiers=[("uscc", "91371302MAELPKL57J")])
    agent = app.parties.add(case.id, name="杜专员", role=PartyRole.AGENT, aliases=["杜经理"],
                            identifiers=[("mobile", "185 0847 7852"), ("wechat", "jude_du888")])
    lawyer = app.parties.add(case.id, name="“王律师”", role=PartyRole.SUSPECT,
                             notes="自称执业律师，所给“执业证号”实为某公司统一社会信用代码。",
                             identifiers=[("lawyer_license", "91110101MAGY87PN75")])
    started = datetime(2025, 3, 4, 6, 30, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        contact = app.contacts.add(case.id, ContactFields(
            channel=ContactChannel.WECHAT, started_at=started,
            ended_at=started + timedelta(minutes=42),
            cover_persona="信用卡逾期8万元的个体户“小陈”",
            counterpart_account="jude_du888", party_id=agent.id,
            services_offered="停息挂账、个性化分期、代写投诉信、征信修复",
            fee_amount=Decimal("8000"), fee_basis="逾期总额的10%，分期成功后支付",
            deposit_amount=Decimal("500"),
            claims=["团队有律师", "和银行内部有关系", "保证三个月内停息"],
            summary="对方承诺代为向银行和监管投诉以实现停息挂账，先收定金500元。",
            transcript=_demo_file("transcript.txt", tmp_dir).read_text(encoding="utf-8"),
        ), attachments=[_demo_file("wechat_chat.png", tmp_dir),
                        _demo_file("transcript.txt", tmp_dir)])
        receipt = app.evidence.add(case.id, _demo_file("deposit_receipt.txt", tmp_dir),
                                   EvidenceFields(
            title="定金转账记录", kind="payment_record", source="暗访中向对方转账后导出",
            proof_purpose="证明对方以代理维权为名收取定金", acquired_at=started
            + timedelta(minutes=45)))
    app.links.add(case.id, from_ref=("party", agent.id), to_ref=("party", org.id),
                  relation="所属")
    app.links.add(case.id, from_ref=("party", lawyer.id), to_ref=("party", org.id),
                  relation="冒充律师")
    app.links.add(case.id, from_ref=("evidence", receipt.evidence.id),
                  to_ref=("party", agent.id), relation="收款")
    app.links.add(case.id, from_ref=("contact", contact.id), to_ref=("party", agent.id),
                  relation="暗访对象")
    return app.cases.get(case.id)
