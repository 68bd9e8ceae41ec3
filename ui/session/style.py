"""Style of the session page, on top of the application's clinical style (colours from ui.theme)."""

from __future__ import annotations

from kaatsu_desktop.session import AlarmPriority
from ui.session.format import ALARM_COLOURS, LEVEL_COLOURS, ClockLevel
from ui.theme import PALETTE

BIG_PT = 30  # the key numbers: restriction mm:ss, pressure, seconds left (24-40 pt at arm's length)


def session_stylesheet() -> str:
    """The session page's style sheet."""
    p = PALETTE
    level = {k.value: v for k, v in LEVEL_COLOURS.items()}
    high = ALARM_COLOURS[AlarmPriority.HIGH]
    medium = ALARM_COLOURS[AlarmPriority.MEDIUM]
    low = ALARM_COLOURS[AlarmPriority.LOW]
    return f"""
QFrame[sessionCard="true"] {{
    background: {p["surface"]};
    border: 1px solid {p["border"]};
    border-radius: 8px;
}}
QFrame[sessionCard="true"] QLabel {{ background: transparent; }}
QLabel[role="cardTitle"] {{ font-size: 13pt; font-weight: bold; }}
QLabel[bigNumber="true"] {{ font-size: {BIG_PT}pt; font-weight: bold; }}
QLabel[role="unit"] {{ font-size: 12pt; color: {p["muted"]}; }}
QLabel[role="phaseLine"] {{ font-size: 12pt; }}
QLabel[role="clockDetail"] {{ font-size: 11pt; color: {p["muted"]}; }}
QLabel[role="clockLimit"] {{ font-size: 13pt; color: {p["muted"]}; padding-bottom: 6px; }}
QLabel[role="controlReason"] {{
    font-size: 11pt; color: #5c3600; background: #fff4d6;
    border-left: 4px solid {level["warning"][0]}; padding: 2px 6px;
}}
QLabel[role="skinSite"] {{ font-size: 11pt; font-weight: bold; min-width: 52px; }}
QFrame[sessionCard="true"][level="normal"] {{ border-left: 8px solid {level["normal"][0]}; }}
QFrame[sessionCard="true"][level="warning"] {{ border-left: 8px solid {level["warning"][0]}; }}
QFrame[sessionCard="true"][level="limit"] {{ border-left: 8px solid {level["limit"][0]}; }}
QFrame[sessionCard="true"][level="idle"] {{ border-left: 8px solid {level["idle"][0]}; }}
QFrame[channelState="active"] {{ border-left: 8px solid {p["accent"]}; }}
QFrame[channelState="idle"] {{ border-left: 8px solid {p["border"]}; }}
QFrame[channelState="stale"] {{ border-left: 8px solid {level["warning"][0]}; }}
QFrame[channelState="blocked"] {{ border-left: 8px solid #5b6672; background: #eceff2; }}

QLabel[orderStep] {{
    font-size: 14pt; padding: 6px 10px; border-radius: 6px; border: 2px solid {p["border"]};
}}
QLabel[orderStep="todo"] {{ color: {p["muted"]}; background: {p["surface"]}; }}
QLabel[orderStep="current"] {{
    color: #ffffff; background: {p["accent"]}; border-color: {p["accent_dark"]};
    font-weight: bold;
}}
QLabel[orderStep="done"] {{ color: #1e5b2c; background: #e3f1e6; border-color: #9cc8a6; }}
QLabel[orderStep="skipped"] {{
    color: {p["muted"]}; background: #eceff2; text-decoration: line-through;
}}
QLabel[role="orderArrow"] {{ font-size: 20pt; color: {p["muted"]}; }}

QFrame#releaseBar {{
    background: #2a1416;
    border-bottom: 3px solid #b3141b;
}}
QFrame#releaseBar QLabel {{ color: #ffffff; font-size: 11pt; }}
QLabel#stopCaption {{ padding: 0; }}
QPushButton#releaseAllButton {{
    background: #c8102e; border: 3px solid #ffffff; border-radius: 10px; padding: 0;
}}
QPushButton#releaseAllButton QLabel {{ color: #ffffff; background: transparent; }}
QFrame#releaseBar QLabel#releaseTitle {{ font-size: 26pt; font-weight: bold; }}
QFrame#releaseBar QLabel#releaseKeys {{ font-size: 12pt; font-weight: bold; }}
QPushButton#releaseAllButton:hover {{ background: #a50d26; }}
QPushButton#releaseAllButton:pressed {{ background: #7d0a1d; }}
QPushButton[stopCriterion="true"] {{
    background: #fbe3e5; color: #5c0a12; border: 1px solid #e8a0a8; font-size: 11pt;
    padding: 2px 6px; min-height: 40px;
}}
QPushButton#trainerToggle {{
    background: {p["demo"]}; color: #ffffff; border: none; font-size: 10pt; font-weight: bold;
    padding: 2px 8px; min-height: 20px;
}}
QPushButton[stopCriterion="true"]:pressed {{ background: #f3c2c4; }}

QFrame#alarmBanner {{ border-radius: 8px; border: 1px solid {p["border"]}; }}
QFrame#alarmBanner[priority="none"] {{ background: {p["surface"]}; }}
QFrame#alarmBanner[priority="none"] QLabel#alarmMessage {{ color: {p["muted"]}; }}
QFrame#alarmBanner[priority="high"][flash="on"] {{ background: {high[0]}; }}
QFrame#alarmBanner[priority="high"][flash="on"] QLabel {{ color: {high[1]}; }}
QFrame#alarmBanner[priority="high"][flash="off"] {{ background: {high[2]}; }}
QFrame#alarmBanner[priority="high"][flash="off"] QLabel {{ color: #3a0508; }}
QFrame#alarmBanner[priority="medium"][flash="on"] {{ background: {medium[0]}; }}
QFrame#alarmBanner[priority="medium"][flash="on"] QLabel {{ color: {medium[1]}; }}
QFrame#alarmBanner[priority="medium"][flash="off"] {{ background: {medium[2]}; }}
QFrame#alarmBanner[priority="medium"][flash="off"] QLabel {{ color: {medium[1]}; }}
QFrame#alarmBanner[priority="low"] {{ background: {low[0]}; }}
QFrame#alarmBanner[priority="low"] QLabel {{ color: {low[1]}; }}
QLabel#alarmMessage {{ font-size: 17pt; font-weight: bold; background: transparent; }}
QLabel#alarmOthers {{ font-size: 12pt; background: transparent; }}
QFrame#releaseBar QLabel#audioUnavailable {{
    font-size: 12pt; font-weight: bold; color: #ffd35c; padding: 0;
}}
QPushButton#audioPauseButton[paused="true"] {{ background: #fff4d6; font-weight: bold; }}
"""


def level_colour(level: ClockLevel) -> str:
    """Background colour of a clock level (tests compare against this)."""
    return LEVEL_COLOURS[level][0]
