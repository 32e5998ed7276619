"""Draw the demo case's evidence files into resources/demo/ (run once by a developer; the
outputs are committed). All names, numbers and documents are invented.

    QT_QPA_PLATFORM=offscreen python packaging/make_demo_media.py

The call recording needs `espeak-ng` (Debian package) and is skipped without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "resources" / "demo"


def _font(size: int, bold: bool = False):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QFont

    font = QFont("Noto Sans CJK SC")
    font.setPixelSize(size)
    font.setBold(bold)
    return font


def phone_frame(title: str, width: int = 540, height: int = 960):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#ededed"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(0, 0, width, 44, QColor("#f7f7f7"))
    p.setFont(_font(18))
    p.setPen(QColor("#111111"))
    p.drawText(20, 30, "9:41")
    p.drawText(width - 90, 30, "5G ▮▮▮")
    p.fillRect(0, 44, width, 64, QColor("#f7f7f7"))
    p.setFont(_font(24, bold=True))
    from PySide6.QtCore import QRect, Qt

    p.drawText(QRect(0, 44, width, 64), Qt.AlignmentFlag.AlignCenter, title)
    p.setPen(QColor("#d6d6d6"))
    p.drawLine(0, 108, width, 108)
    return image, p


def payment_screenshot(path: Path) -> None:
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor

    image, p = phone_frame("交易详情")
    w = image.width()
    p.setBrush(QColor("#07c160"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(w // 2 - 40, 170, 80, 80)
    p.setPen(QColor("white"))
    p.setFont(_font(44, bold=True))
    p.drawText(QRect(w // 2 - 40, 170, 80, 80), Qt.AlignmentFlag.AlignCenter, "✓")
    p.setPen(QColor("#111111"))
    p.setFont(_font(26))
    p.drawText(QRect(0, 270, w, 40), Qt.AlignmentFlag.AlignCenter, "转账给 聚德法务-杜专员")
    p.setFont(_font(56, bold=True))
    p.drawText(QRect(0, 320, w, 80), Qt.AlignmentFlag.AlignCenter, "-500.00")
    p.setFont(_font(22))
    p.setPen(QColor("#07c160"))
    p.drawText(QRect(0, 400, w, 36), Qt.AlignmentFlag.AlignCenter, "对方已收款")
    rows = [("转账说明", "停息挂账服务定金"), ("转账时间", "2025-03-04 14:57:21"),
            ("收款时间", "2025-03-04 14:58:02"), ("支付方式", "零钱"),
            ("转账单号", "1000050001202503040112345678901")]
    p.fillRect(24, 470, w - 48, 56 * len(rows) + 20, QColor("white"))
    for i, (k, v) in enumerate(rows):
        y = 490 + i * 56
        p.setPen(QColor("#888888"))
        p.setFont(_font(20))
        p.drawText(44, y + 24, k)
        p.setPen(QColor("#111111"))
        p.drawText(QRect(170, y, w - 214, 34), Qt.AlignmentFlag.AlignRight
                   | Qt.AlignmentFlag.AlignVCenter, v)
    p.end()
    image.save(str(path), "PNG")


def douyin_ad(path: Path) -> None:
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QLinearGradient

    image, p = phone_frame("")
    w, h = image.width(), image.height()
    gradient = QLinearGradient(0, 0, 0, h)
    gradient.setColorAt(0, QColor("#1f1147"))
    gradient.setColorAt(1, QColor("#05040f"))
    p.fillRect(0, 0, w, h, gradient)
    p.setPen(QColor("white"))
    p.setFont(_font(40, bold=True))
    p.drawText(QRect(20, 180, w - 40, 220), Qt.AlignmentFlag.AlignCenter
               | Qt.TextFlag.TextWordWrap, "信用卡逾期？\n网贷还不上？")
    p.setPen(QColor("#ffd400"))
    p.setFont(_font(34, bold=True))
    p.drawText(QRect(20, 420, w - 40, 160), Qt.AlignmentFlag.AlignCenter
               | Qt.TextFlag.TextWordWrap, "专业团队帮你\n停息挂账 · 减免罚息")
    p.setPen(QColor("#ff4d6d"))
    p.setFont(_font(28, bold=True))
    p.drawText(QRect(20, 600, w - 40, 60), Qt.AlignmentFlag.AlignCenter, "成功上岸 3000+ 人")
    p.setPen(QColor("#dddddd"))
    p.setFont(_font(20))
    p.drawText(QRect(20, h - 200, w - 40, 120), Qt.TextFlag.TextWordWrap,
               "@聚德法务-债务规划 ✔\n私信或加V：jude_du888 免费咨询 #停息挂账 #上岸")
    p.setPen(QColor("white"))
    p.setFont(_font(26))
    for i, (icon, n) in enumerate((("♥", "2.1w"), ("💬", "3562"), ("↗", "1.2w"))):
        p.drawText(QRect(w - 90, 520 + i * 90, 80, 40), Qt.AlignmentFlag.AlignCenter, icon)
        p.setFont(_font(18))
        p.drawText(QRect(w - 90, 556 + i * 90, 80, 30), Qt.AlignmentFlag.AlignCenter, n)
        p.setFont(_font(26))
    p.end()
    image.save(str(path), "PNG")


def forged_certificate(path: Path) -> None:
    from PySide6.QtCore import QPointF, QRect, Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPen

    image = QImage(760, 1000, QImage.Format.Format_RGB32)
    image.fill(QColor("#fbfaf5"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor("#111111"))
    p.setFont(_font(34, bold=True))
    p.drawText(QRect(0, 60, 760, 50), Qt.AlignmentFlag.AlignCenter, "某某市第一人民医院")
    p.setFont(_font(40, bold=True))
    p.drawText(QRect(0, 120, 760, 60), Qt.AlignmentFlag.AlignCenter, "诊 断 证 明 书")
    p.setFont(_font(22))
    lines = ["姓名：陈某某    性别：男    年龄：29岁", "科别：肿瘤内科    住院号：2025030417",
             "", "诊断：", "    恶性肿瘤（待进一步检查），需长期住院治疗。", "",
             "医嘱：", "    建议全休六个月，避免劳累及精神刺激。",
             "    患者目前无劳动能力，无力偿还债务。", "", "医师签名：李××",
             "日期：2025年3月6日"]
    for i, line in enumerate(lines):
        p.drawText(70, 250 + i * 44, line)
    p.setPen(QPen(QColor(214, 40, 40, 200), 5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    center = QPointF(560, 800)
    p.drawEllipse(center, 110, 110)
    p.setFont(_font(22, bold=True))
    p.setPen(QColor(214, 40, 40, 210))
    p.drawText(QRect(450, 740, 220, 40), Qt.AlignmentFlag.AlignCenter, "★")
    p.drawText(QRect(450, 790, 220, 40), Qt.AlignmentFlag.AlignCenter, "诊断证明专用章")
    p.setPen(QColor(150, 150, 150))
    p.setFont(_font(16))
    p.drawText(QRect(0, 950, 760, 30), Qt.AlignmentFlag.AlignCenter,
               "（演示材料：印章字体与医院实际印章不符，系伪造）")
    p.end()
    image.save(str(path), "PNG")


def service_contract(path: Path) -> None:
    from PySide6.QtCore import QMarginsF, QRectF, Qt
    from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
    writer.setResolution(150)
    writer.setTitle("债务协商委托服务协议")
    p = QPainter(writer)
    width = writer.width()
    p.setFont(_font(36, bold=True))
    p.drawText(QRectF(0, 0, width, 80), Qt.AlignmentFlag.AlignCenter, "债务协商委托服务协议")
    clauses = [
        "甲方（委托人）：陈某某    身份证号：3201**********1234",
        "乙方（受托人）：临沂市聚德法务中心",
        "",
        "第一条  甲方委托乙方就其信用卡及网络贷款逾期债务，代为与各金融机构协商停息挂账、"
        "减免罚息及个性化分期事宜。",
        "第二条  甲方应于签约当日支付定金人民币伍佰元整（¥500.00），"
        "协商成功后按逾期总额的10%支付服务费。",
        "第三条  甲方授权乙方以甲方名义向银行、监管部门及12378热线提交投诉材料，"
        "所需病历、困难证明等材料由乙方协助准备。",
        "第四条  服务期间甲方不得自行与银行联系，所有来电转由乙方处理。",
        "第五条  本协议自双方签字之日起生效，定金概不退还。",
        "",
        "甲方签字：陈某某            乙方（盖章）：聚德法务",
        "日期：2025年3月4日",
    ]
    p.setFont(_font(22))
    y = 130
    for clause in clauses:
        rect = QRectF(0, y, width, 400)
        bound = p.boundingRect(rect, int(Qt.TextFlag.TextWordWrap), clause or " ")
        p.drawText(rect, int(Qt.TextFlag.TextWordWrap), clause)
        y += bound.height() + 18
    p.setPen(QColor(200, 30, 30))
    p.drawEllipse(QRectF(width - 330, y - 260, 220, 220))
    p.drawText(QRectF(width - 330, y - 170, 220, 40), Qt.AlignmentFlag.AlignCenter, "聚德法务")
    p.end()


def call_recording(path: Path) -> bool:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return False
    text = ("喂，你好，是杜专员吗？我是小陈，之前在抖音上看到你们的视频。"
            "对，我信用卡逾期了八万多。你们真的能帮我停息挂账吗？"
            "先交五百定金，成功以后再收百分之十，对吧？好的，我考虑一下。")
    raw = path.with_suffix(".raw.wav")
    subprocess.run([espeak, "-v", "cmn", "-s", "150", "-w", str(raw), text], check=True)
    # Down to 8 kHz mono, the quality of a phone line (and a small file).
    with wave.open(str(raw), "rb") as src:
        rate, width, frames = src.getframerate(), src.getsampwidth(), src.readframes(
            src.getnframes())
    import array

    samples = array.array("h", frames)
    step = rate / 8000
    out = array.array("h", (samples[int(i * step)] for i in range(int(len(samples) / step))))
    with wave.open(str(path), "wb") as dst:
        dst.setnchannels(1)
        dst.setsampwidth(width)
        dst.setframerate(8000)
        dst.writeframes(out.tobytes())
    raw.unlink()
    return True


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    payment_screenshot(OUT / "deposit_transfer.png")
    douyin_ad(OUT / "douyin_ad.png")
    forged_certificate(OUT / "forged_certificate.png")
    service_contract(OUT / "service_contract.pdf")
    if not call_recording(OUT / "call_recording.wav"):
        print("espeak-ng not found: call_recording.wav not made", file=sys.stderr)
    for f in sorted(OUT.iterdir()):
        print(f"{f.name:28} {f.stat().st_size:>9,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
