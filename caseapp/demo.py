"""The demo case: a small, invented investigation to explore the app with."""

from __future__ import annotations

import csv
import itertools
import random
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from caseapp.app import App
from caseapp.domain.enums import ContactChannel, PartyKind, PartyRole
from caseapp.domain.errors import NotFoundError
from caseapp.identifiers import id_card_check_char
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


def ensure_demo_case(app: App, *, complaints: bool = False) -> CaseRecord:
    """Create the demo case unless it exists; returns it. All names are invented.

    With ``complaints`` the case also gets an invented complaint export (imported, then
    analysed) unless it holds complaints already: what the app's "demo case" opens.
    """
    try:
        existing = app.cases.get(DEMO_NUMBER)
    except NotFoundError:
        pass
    else:
        if complaints:
            add_demo_complaints(app, existing.id)
        return app.cases.get(existing.id)
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
    if complaints:
        add_demo_complaints(app, case.id)
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


def add_demo_complaints(app: App, case_id: int) -> None:
    """Import the invented complaint export into the case and analyse it (once)."""
    if app.complaint_queries.count(case_id):
        return
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "投诉工单导出_2025Q1.csv"
        write_demo_complaints(export)
        app.complaints.import_file(case_id, export)
    app.analysis.run(case_id)


# --- invented complaint export ---------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英浩宇欣怡子涵梓轩思远雨桐佳琪"
    "俊杰晓东建华志强海燕丽华红梅春生国庆文博一鸣诗雨"
)
_AREAS = ("110105", "310115", "440304", "320102", "330106", "370302", "420106", "510104",
          "610113", "371302", "130102", "410105")
_LENDERS = ("信用卡中心", "个人消费贷款部", "网络贷款业务部")
_CHANNELS = ("监管转办", "12378热线", "客服热线", "信访", "互联网平台", "信函")

# Three "agencies" behind the templated letters: (agent column, phone column, phone in text).
_AGENCIES = (
    ("临沂市聚德法务中心·杜专员", "185 0847 7852（微信同号）", "18508477852", "jude_du888"),
    ("华信债务咨询 周经理", "17743218865", "17743218865", "hx_fawu01"),
    ("安心维权工作室", "微信：anxin_weiquan", "15366021947", "anxin_weiquan"),
)

_TEMPLATES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("息费争议", "信用卡", (
        "致贵行信用卡中心负责同志：",
        "本人{name}，因{reason}，收入大幅减少，目前已无力按期偿还贵行信用卡欠款，本息合计{amount}元。",
        "逾期以来，贵行及委托的催收机构每天多次致电本人及家人，严重影响了本人的正常生活。",
        "根据相关规定，发卡机构对确有还款意愿但暂时无力全额还款的持卡人，可以协商个性化分期还款方案，期限最长可达五年。",
        "为此本人郑重申请：一、停止计收利息、违约金和分期手续费；二、将欠款本金分{months}期偿还；"
        "三、协商期间暂停一切催收；四、不向征信系统报送新的逾期信息。",
        "本人并非恶意拖欠，只是希望贵行给予一条活路。",
        "{agent_sentence}",
        "如贵行不予协商，本人将向金融监管部门持续反映。",
    )),
    ("协商还款", "个人消费贷款", (
        "{lender}客户服务中心：",
        "本人{name}，{age}岁，近期在医院被诊断为{disease}，现附上住院证明和诊断证明复印件。",
        "治疗已花费将近二十万元，家中积蓄耗尽，亲戚也已借遍，本人已向单位辞职，没有任何收入。",
        "本人在贵行尚欠{amount}元，因病完全无力还款，每天接到催收电话，无法安心养病。",
        "现申请困难救助：免除全部罚息和滞纳金，剩余欠款停息分{months}期偿还，暂停催收，不上征信。",
        "恳请贵行核实后予以批准。{agent_sentence}",
    )),
    ("催收问题", "信用卡", (
        "投诉贵行委托的第三方催收机构暴力催收。",
        "我是他爱人，作为家属代为投诉：我丈夫{name}欠贵行信用卡{amount}元，",
        "催收人员多次拨打我们的亲友和单位电话，言语辱骂、威胁上门，还发送带有侮辱性的短信。",
        "上述行为严重违反了监管关于规范催收的规定，对我们一家造成极大的精神伤害。",
        "要求贵行立即停止违规催收，对相关人员追责，并在此基础上停息挂账、分{months}期还款。",
        "{agent_sentence}",
    )),
    ("征信问题", "网络贷款", (
        "关于{name}个人信用报告异议及法律意见函",
        "本所受{name}委托，就其与贵司之间的借款纠纷出具本函。承办律师：王律师，"
        "律师执业证号91110101MAGY87PN75。",
        "经审查，贵司在放款过程中未明示年化利率，收取的担保费、服务费等合计年化成本超过法定上限，"
        "涉嫌违规放贷，当事人剩余待还{amount}元。",
        "请贵司在收函后七日内：一、删除当事人的不良征信记录；二、退还超出部分的利息及费用；"
        "三、剩余本金免息分{months}期偿还。",
        "逾期未处理的，本所将代当事人向监管部门投诉并提起诉讼。{agent_sentence}",
    )),
)

# Individual complaints: (category, product, openings, problems, demands) per topic.
_GENUINE = (
    ("账户管理", "借记卡",
     ("{date}我到{branch}办理借记卡挂失补办。", "我{date}去{branch}想补办银行卡。"),
     ("排队两个多小时，柜台只开了一个窗口，工作人员态度冷淡。",
      "等了很久才轮到我，柜员说系统故障让我改天再来，白跑了一趟。"),
     ("希望增加窗口并改进服务。", "要求网点给个说法。")),
    ("服务态度", "信用卡",
     ("信用卡年费在未提前告知的情况下被扣收{fee}元。",
      "我没有开通任何增值服务，账单上却多了{fee}元服务费。"),
     ("致电客服多次转接都没有人处理。", "客服只说是系统自动扣收，无法解释收费依据。"),
     ("要求退还费用并解释收费依据。", "请尽快退款。")),
    ("账户管理", "借记卡",
     ("手机银行转账提示超过限额，但我从未修改过限额设置。", "{date}用网银付款时一直提示交易受限。"),
     ("导致房租没能按时支付，被房东催了好几次。", "打电话问客服，对方说需要本人去网点核实身份。"),
     ("要求查明原因并恢复原来的限额。", "希望简化解除限制的手续。")),
    ("息费争议", "个人消费贷款",
     ("提前还清消费贷款时被收取了{fee}元违约金。", "我的贷款每月实际扣款比合同约定多了几十元。"),
     ("签合同时客户经理没有说明这项费用。", "查询明细后发现有一笔保险费是我不知情的情况下搭售的。"),
     ("要求退还该笔费用。", "请核实后把多扣的钱退给我。")),
    ("服务态度", "信用卡",
     ("客服热线一直占线，等待四十分钟仍无法接通人工服务。",
      "我想咨询账单分期的手续费，智能客服答非所问。"),
     ("转人工后又被挂断了两次。", "打了三天电话都没有解决。"),
     ("希望增加人工坐席。", "请安排专人回电。")),
    ("账户管理", "借记卡",
     ("我的账户在{date}被冻结，影响了工资入账。", "{date}发现卡里的钱转不出去，账户处于止付状态。"),
     ("网点说是风控原因但不告诉具体情况。", "我提供了工资流水和劳动合同，仍然没有解冻。"),
     ("要求尽快解冻并书面说明原因。", "请告知需要补充哪些材料。")),
)
_BRANCHES = ("城东支行", "高新区支行", "人民路网点", "滨江支行", "火车站网点")


def _id_number(rng: random.Random, age: int, when: date) -> str:
    birth = date(when.year - age, rng.randint(1, 12), rng.randint(1, 28))
    body = f"{rng.choice(_AREAS)}{birth:%Y%m%d}{rng.randint(10, 999):03d}"
    return body + id_card_check_char(body)


def _mobile(rng: random.Random) -> str:
    return rng.choice(("138", "139", "136", "150", "152", "158", "187", "188", "135")) + \
        f"{rng.randint(0, 99_999_999):08d}"


def _name(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(_SURNAMES) + given[:2]


def write_demo_complaints(path: Path, *, seed: int = 7, templated: int = 180,
                          genuine: int = 48) -> None:
    """An invented complaint export (UTF-8 CSV with the usual Chinese header): templated letters
    from three agencies — some customers complain three times or more — and individual ones."""
    rng = random.Random(seed)
    start = date(2025, 1, 6)
    rows: list[dict[str, str]] = []
    customers = []
    for _i in range(templated // 3 + 8):
        age = rng.randint(24, 52)
        customers.append((_name(rng), _id_number(rng, age, start), _mobile(rng), age))
    young = [c for c in customers if c[3] < 34] or customers
    for i in range(templated):
        family = i % len(_TEMPLATES)
        agency = _AGENCIES[(i // 2 + family) % len(_AGENCIES)] if family != 3 else _AGENCIES[0]
        pool = young if family == 1 else customers
        name, id_number, phone, age = pool[
            rng.randrange(6) if rng.random() < 0.2 else rng.randrange(len(pool))]
        category, product, sentences = _TEMPLATES[family]
        received = start + timedelta(days=rng.randint(0, 80))
        agent_name, agent_cell, agent_phone, wechat = agency
        visible = rng.random()
        agent_sentence = ""
        if visible < 0.45:
            agent_sentence = rng.choice((
                f"有任何问题请与我的委托代理人联系，电话{agent_phone}。",
                f"本人已委托代理人全权处理，联系电话{agent_phone}，微信{wechat}。",
            ))
        values = {
            "name": name, "age": str(age), "amount": f"{rng.randint(60, 1400) * 100:,}",
            "months": str(rng.choice((36, 48, 60))), "lender": "贵行" + rng.choice(_LENDERS),
            "reason": rng.choice(("公司裁员失业", "经营的小店倒闭", "家人重病住院",
                                  "疫情后收入锐减")),
            "disease": rng.choice(("恶性肿瘤", "尿毒症", "白血病", "重症肺炎")),
            "agent_sentence": agent_sentence,
        }
        chosen = [s for k, s in enumerate(sentences) if k < 3 or rng.random() > 0.12]
        text = "".join(s.format(**values) for s in chosen)
        rows.append({
            "投诉编号": f"GD{received:%Y%m%d}{i + 1:05d}",
            "受理日期": f"{received:%Y-%m-%d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:00",
            "投诉渠道": rng.choice(_CHANNELS[:2] + _CHANNELS[4:]),
            "客户姓名": name, "证件号码": id_number, "联系电话": phone,
            "代理人": agent_name if visible > 0.25 else "",
            "代理人电话": agent_cell if visible > 0.25 else "",
            "产品类型": product, "投诉类别": category, "投诉内容": text,
            "诉求": "停息挂账；分期还款；停止催收",
            "涉及金额(元)": values["amount"].replace(",", ""),
            "处理状态": rng.choice(("处理中", "已办结", "转办中")),
        })
    # Each individual complaint words its story its own way (no two share every sentence).
    wordings = []
    for category, product, *parts in _GENUINE:
        combos = list(itertools.product(*parts))
        rng.shuffle(combos)
        wordings.append((category, product, combos))
    for j in range(genuine):
        category, product, combos = wordings[j % len(wordings)]
        received = start + timedelta(days=rng.randint(0, 80))
        age = rng.randint(22, 70)
        text = "".join(combos[(j // len(wordings)) % len(combos)]).format(
            date=f"{received.month}月{received.day}日", branch=rng.choice(_BRANCHES),
            fee=rng.choice((100, 200, 300, 580, 1200)))
        rows.append({
            "投诉编号": f"GD{received:%Y%m%d}{templated + j + 1:05d}",
            "受理日期": f"{received:%Y-%m-%d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:00",
            "投诉渠道": rng.choice(_CHANNELS),
            "客户姓名": _name(rng), "证件号码": _id_number(rng, age, start),
            "联系电话": _mobile(rng), "代理人": "", "代理人电话": "",
            "产品类型": product, "投诉类别": category, "投诉内容": text, "诉求": "",
            "涉及金额(元)": "", "处理状态": rng.choice(("已办结", "处理中")),
        })
    rows.sort(key=lambda r: r["受理日期"])
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
