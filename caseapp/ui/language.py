"""The desktop app's language: chosen at start, switched live from the settings dialog.

Order of precedence: ``--lang``, the ``CASEAPP_LANG`` environment variable, the language in the
settings, the system locale (Simplified Chinese on a Chinese system, English otherwise). Qt's own
strings (standard buttons, dialogs) follow through the ``qtbase`` translations.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from caseapp.i18n import choose_language, set_language
from caseapp.ui.style import configure_fonts

_qt_translator: QTranslator | None = None


def system_locale_name() -> str:
    return QLocale.system().name()


def startup_language(option: str | None, preference: str | None) -> str:
    return choose_language(option or os.environ.get("CASEAPP_LANG") or preference,
                           system_locale_name())


def install_qt_translations(language: str) -> bool:
    """Load (or drop) Qt's own translations for ``language``; True when Chinese ones are on."""
    global _qt_translator
    app = QCoreApplication.instance()
    if app is None:
        return False
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if language != "zh_CN":
        return False
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_",
                       path):
        app.installTranslator(translator)
        _qt_translator = translator
        return True
    return False


def apply_language(language: str) -> str:
    """Switch gettext, Qt's translations and the UI font to ``language``; returns the one
    chosen. Windows built afterwards (or rebuilt) show it."""
    chosen = set_language(language)
    install_qt_translations(chosen)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        configure_fonts(app, chosen)
    return chosen
