"""What people read for identifier problems and remarks, in the current language."""

from __future__ import annotations

from caseapp.i18n import N_, _
from caseapp.identifiers.model import Problem

_PROBLEMS = {
    Problem.EMPTY: N_("empty"),
    Problem.BAD_FORMAT: N_("not in the expected format"),
    Problem.BAD_LENGTH: N_("wrong length"),
    Problem.BAD_CHECKSUM: N_("check digit does not match"),
    Problem.BAD_BIRTH_DATE: N_("impossible birth date"),
    Problem.UNKNOWN_REGION: N_("unknown region code"),
    Problem.SCIENTIFIC_NOTATION: N_("mangled by Excel into scientific notation; digits lost"),
    Problem.MASKED: N_("masked value"),
    Problem.NOT_A_MOBILE: N_("not a mobile number"),
    Problem.NOT_A_LANDLINE: N_("not a landline number"),
    Problem.MISSING_AREA_CODE: N_("area code missing"),
    Problem.USCC_AS_LAWYER_LICENSE: N_(
        "a company's unified social credit code given as a lawyer licence number"),
    Problem.ID_CARD_AS_LAWYER_LICENSE: N_("an ID number given as a lawyer licence number"),
    Problem.BAD_YEAR: N_("implausible year"),
    Problem.BAD_CATEGORY: N_("unknown licence category"),
    Problem.BAD_SEX_DIGIT: N_("invalid sex digit"),
    Problem.BAD_REGISTRATION_AUTHORITY: N_("unknown registration authority"),
    Problem.UPGRADED_FROM_15: N_("upgraded from a 15-digit number"),
    Problem.EXCEL_PRECISION_LOSS: N_("last digits may have been zeroed by Excel"),
    Problem.UNASSIGNED_PREFIX: N_("number prefix not assigned"),
    Problem.ORG_CODE_CHECK_FAILED: N_("organisation code check digit does not match"),
    Problem.FOREIGN_NUMBER: N_("not a Chinese number"),
    Problem.SHORT_LENGTH: N_("shorter than usual"),
}


def problem_label(code: str) -> str:
    text = _PROBLEMS.get(code)  # type: ignore[call-overload]
    return _(text) if text else code
