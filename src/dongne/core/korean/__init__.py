"""Korean text tools: morpheme tokens (kiwipiepy), registration-number and phone validators,
and parsers for dates and amounts as Korean users write them."""

from .parsers import parse_amount, parse_korean_date
from .tokenize import tokens
from .validators import (
    format_business_number,
    format_corporate_number,
    normalize_phone,
    validate_business_number,
    validate_corporate_number,
    validate_phone,
)

__all__ = [
    "tokens",
    "parse_amount",
    "parse_korean_date",
    "validate_business_number",
    "validate_corporate_number",
    "validate_phone",
    "normalize_phone",
    "format_business_number",
    "format_corporate_number",
]
