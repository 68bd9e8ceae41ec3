"""Skin colour under each band, one tap per limb (T-SKIN-1): pink or rosy is the target."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from devices.protocol.types import Site
from kaatsu_desktop.session import EventKind, SessionEvent, SkinColour
from kaatsu_desktop.session.model import site_from_key
from ui.session.format import site_label, tr
from ui.theme import restyle

# Swatches behind the words (the word is always there: colour alone is never enough).
SWATCH = {
    SkinColour.PINK: ("#f6c6cf", "#161b21"),
    SkinColour.ROSY: ("#ee9aa6", "#161b21"),
    SkinColour.RED_PURPLE: ("#8e2a5c", "#ffffff"),
    SkinColour.WHITE: ("#ffffff", "#161b21"),
    SkinColour.GREY: ("#8b939b", "#161b21"),
    SkinColour.BLUE: ("#4a6fa5", "#ffffff"),
}

SHORT = {
    SkinColour.PINK: "pink",
    SkinColour.ROSY: "rosy",
    SkinColour.RED_PURPLE: "red-\npurple",
    SkinColour.WHITE: "white",
    SkinColour.GREY: "grey",
    SkinColour.BLUE: "blue",
}


_SHORT_SITES = {
    Site.LEFT_ARM: "L arm",
    Site.RIGHT_ARM: "R arm",
    Site.LEFT_LEG: "L leg",
    Site.RIGHT_LEG: "R leg",
}


def short_site(site: Site) -> str:
    """A site in few letters, for the narrow skin grid (the full name is its tooltip)."""
    return tr(_SHORT_SITES.get(site, "?"))


class SkinPanel(QFrame):
    """A row of colour buttons per limb in use; the last recorded colour stays marked."""

    recorded = Signal(object, object)  # Site, SkinColour

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("skinPanel")
        self.setProperty("sessionCard", True)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(4)
        self.grid.setVerticalSpacing(3)
        title = QLabel(tr("Skin colour under the band") + "  T-SKIN-1")
        title.setProperty("role", "cardTitle")
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 10)
        column.addWidget(title)
        column.addLayout(self.grid)
        self.buttons: dict[tuple[Site, SkinColour], QPushButton] = {}
        self.sites: tuple[Site, ...] = ()

    def set_sites(self, sites: tuple[Site, ...]) -> None:
        """One row per band site in use (built once per session)."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.buttons.clear()
        self.sites = sites
        for row, site in enumerate(sites):
            label = QLabel(short_site(site))
            label.setToolTip(site_label(site))
            label.setProperty("role", "skinSite")
            self.grid.addWidget(label, row, 0)
            for col, colour in enumerate(SkinColour, start=1):
                button = QPushButton(tr(SHORT[colour]))
                button.setObjectName(f"skin_{site.name.lower()}_{colour.value}")
                button.setAccessibleName(
                    tr("{site}: skin {colour}").format(site=site_label(site), colour=colour.label)
                )
                button.setProperty("marked", False)
                button.setAutoDefault(True)
                button.setProperty("skin", colour.value)
                bg, fg = SWATCH[colour]
                button.setStyleSheet(
                    f"QPushButton {{ background: {bg}; color: {fg}; padding: 2px 4px;"
                    f" font-size: 10pt; min-width: 44px; min-height: 30px; }}"
                    'QPushButton[marked="true"] { border: 4px solid #161b21; font-weight: bold; }'
                )
                button.clicked.connect(lambda _=False, s=site, c=colour: self._record(s, c))
                self.buttons[(site, colour)] = button
                self.grid.addWidget(button, row, col)

    def _record(self, site: Site, colour: SkinColour) -> None:
        # The mark follows the engine's event, not the tap (see add_events).
        self.recorded.emit(site, colour)

    def marked(self, site: Site) -> SkinColour | None:
        """The colour last recorded for ``site``."""
        return next(
            (c for c in SkinColour if (b := self.buttons.get((site, c))) and b.property("marked")),
            None,
        )

    def add_events(self, events: tuple[SessionEvent, ...]) -> None:
        """Mark the colour the engine recorded for each site."""
        for event in events:
            if event.kind is not EventKind.SKIN_OBSERVED:
                continue
            try:
                site = site_from_key(str(event.data.get("site", "")))
                colour = SkinColour(str(event.data.get("colour", "")))
            except ValueError:
                continue
            for c in SkinColour:
                button = self.buttons.get((site, c))
                if button is not None and bool(button.property("marked")) != (c is colour):
                    button.setProperty("marked", c is colour)
                    restyle(button)
