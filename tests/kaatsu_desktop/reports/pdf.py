"""Reading a written PDF back with QtPdf: text per page and pages as images."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument


def load(path: Path) -> QPdfDocument:
    """A loaded QPdfDocument (fails the test when QtPdf cannot read the file)."""
    doc = QPdfDocument()
    error = doc.load(str(path))
    assert error == QPdfDocument.Error.None_, error
    return doc


def page_texts(path: Path) -> list[str]:
    """The text of every page, white space collapsed to single spaces."""
    doc = load(path)
    texts = [re.sub(r"\s+", " ", doc.getAllText(i).text()) for i in range(doc.pageCount())]
    doc.close()
    return texts


def render_page(path: Path, page: int, scale: float = 1.5) -> QImage:
    """One page as an opaque image on white paper (QtPdf renders onto transparency)."""
    doc = load(path)
    size = doc.pagePointSize(page)
    image = doc.render(page, QSize(round(size.width() * scale), round(size.height() * scale)))
    doc.close()
    paper = QImage(image.size(), QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    return paper
