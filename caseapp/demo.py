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
from caseapp.services.records import CaseRecord, PartyRecord

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
            counterpart_identifier_id=agent.identifiers[1].id,
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
    _add_field_work(app, case.id, org=org, agent=agent, lawyer=lawyer, started=started)
    return app.cases.get(case.id)


def _add_field_work(app: App, case_id: int, *, org: PartyRecord, agent: PartyRecord,
                    lawyer: PartyRecord, started: datetime) -> None:
    """More of the investigation: the assistant and a customer the agency signed up, the
    Douyin advert, a call, a visit, the transfer, a forged certificate, two case events."""
    assistant = app.parties.add(case_id, name="刘助理", role=PartyRole.AGENT,
                                notes="负责接听咨询电话、收集客户材料。第二张收款卡号抄自客户"
                                      "提供的截图，校验位不符，待向银行核实。",
                                identifiers=[("mobile", "139 0539 1234"),
                                             ("bank_card", "6217 0027 1000 0684 874"),
                                             ("bank_card", "6222 0212 3456 7890 123")])
    customer = app.parties.add(case_id, name="陈某某", role=PartyRole.COMPLAINANT,
                               notes="被招揽的负债客户，投诉材料中附有伪造的诊断证明。")
    app.parties.add_identifier(org.id, "douyin", "jude_fawu")
    app.links.add(case_id, from_ref=("party", assistant.id), to_ref=("party", org.id),
                  relation="所属")
    app.links.add(case_id, from_ref=("party", customer.id), to_ref=("party", org.id),
                  relation="委托")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        ad = app.evidence.add(case_id, _demo_file("douyin_ad.png", tmp_dir), EvidenceFields(
            title="抖音引流视频截图", kind="screenshot",
            source="调查员在抖音搜索“停息挂账”后截屏",
            proof_purpose="证明该机构在短视频平台公开招揽负债客户",
            acquired_at=started - timedelta(days=3))).evidence
        app.contacts.add(case_id, ContactFields(
            channel=ContactChannel.DOUYIN, started_at=started - timedelta(days=3, hours=-2),
            ended_at=started - timedelta(days=3, hours=-2, minutes=-15),
            cover_persona="信用卡逾期8万元的个体户“小陈”", counterpart_account="jude_fawu",
            party_id=org.id, services_offered="免费咨询，引导添加微信",
            claims=["成功上岸3000多人"],
            summary="私信抖音账号，对方回复“加V详聊”并给出微信号 jude_du888。"))
        call = app.contacts.add(case_id, ContactFields(
            channel=ContactChannel.PHONE, started_at=started + timedelta(days=2, hours=3),
            ended_at=started + timedelta(days=2, hours=3, minutes=6),
            cover_persona="信用卡逾期8万元的个体户“小陈”",
            counterpart_account="139 0539 1234",
            counterpart_identifier_id=assistant.identifiers[0].id, party_id=assistant.id,
            services_offered="停息挂账、减免罚息，代写投诉信",
            fee_amount=Decimal("8000"), fee_basis="逾期总额的10%", deposit_amount=Decimal("500"),
            claims=["有内部渠道", "可以开住院证明"],
            summary="对方确认收费标准，称可以“帮忙准备”住院证明用于投诉。"),
            attachments=[_demo_file("call_recording.wav", tmp_dir)])
        visit = app.contacts.add(case_id, ContactFields(
            channel=ContactChannel.IN_PERSON, started_at=started + timedelta(days=8, hours=2),
            ended_at=started + timedelta(days=8, hours=3, minutes=10),
            cover_persona="信用卡逾期8万元的个体户“小陈”", party_id=agent.id,
            location="临沂市兰山区某写字楼12层（聚德法务中心办公室）",
            services_offered="签订委托协议，代为投诉并与银行协商",
            fee_amount=Decimal("8000"), fee_basis="协商成功后支付", deposit_amount=Decimal("500"),
            claims=["王律师执业十几年", "定金概不退还"],
            summary="到场签订《债务协商委托服务协议》，现场见到多份客户的诊断证明模板。"),
            attachments=[_demo_file("service_contract.pdf", tmp_dir)])
        transfer = app.evidence.add(case_id, _demo_file("deposit_transfer.png", tmp_dir),
                                    EvidenceFields(
            title="定金转账截图", kind="payment_record", source="调查员手机微信支付截屏",
            proof_purpose="证明对方收取定金500元", acquired_at=started
            + timedelta(minutes=28))).evidence
        certificate = app.evidence.add(case_id, _demo_file("forged_certificate.png", tmp_dir),
                                       EvidenceFields(
            title="伪造的诊断证明书", kind="certificate",
            source="客户陈某某投诉材料附件，经医院核实无此病历",
            proof_purpose="证明中介协助客户伪造重症诊断证明用于投诉",
            acquired_at=started + timedelta(days=5))).evidence
    first_contact = app.contacts.list(case_id)[1]
    names = {
        "wechat_chat.png": ("微信聊天截图（杜专员）", "证明对方承诺停息挂账并收取定金"),
        "transcript.txt": ("微信暗访对话记录", "证明对方的服务内容、收费标准及“有律师”的说法"),
        "call_recording.wav": ("电话暗访录音（刘助理）", "证明对方称可帮忙准备住院证明"),
        "service_contract.pdf": ("债务协商委托服务协议", "证明对方以委托协议形式收费并代为投诉"),
    }
    for contact in (first_contact, call, visit):
        for ev in contact.attachments:
            title, purpose = names.get(ev.original_name, (ev.title, ""))
            app.evidence.update(ev.id, title=title, proof_purpose=purpose)
    app.links.add(case_id, from_ref=("evidence", ad.id), to_ref=("party", org.id),
                  relation="发布")
    app.links.add(case_id, from_ref=("evidence", transfer.id), to_ref=("party", agent.id),
                  relation="收款")
    app.links.add(case_id, from_ref=("evidence", certificate.id),
                  to_ref=("party", customer.id), relation="提交")
    app.links.add(case_id, from_ref=("evidence", certificate.id), to_ref=("party", lawyer.id),
                  relation="协助伪造")
    app.links.add(case_id, from_ref=("evidence", visit.attachments[0].id),
                  to_ref=("party", org.id), relation="合同相对方")
    app.links.add(case_id, from_ref=("contact", call.id), to_ref=("party", assistant.id),
                  relation="暗访对象")
    app.timeline.add_event(case_id, at=started - timedelta(days=4),
                           title="消保部门立项调查",
                           description="多起投诉出现相同代理电话，转安全保卫部联合调查。")
    app.timeline.add_event(case_id, at=started + timedelta(days=11),
                           title="向公安机关报案",
                           description="提交证据材料包（含暗访记录、转账截图、伪造证明）。")
