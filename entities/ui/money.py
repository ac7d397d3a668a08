"""Amounts with their currency and quantities as plain decimals, as the pages print them. Amounts in different
currencies are never added together."""
from __future__ import annotations

from decimal import Decimal

UNKNOWN_CURRENCY = "(currency not given)"


def plain_quantity(value) -> str:
    """1234567.500 -> '1234567.5', 2.000 -> '2': never an exponent like 1.23457e+06."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def money(amount, currency: str | None) -> str:
    """'1,234.50 SEK' from an exact decimal; '' when there is no amount (None, or NaN from a pandas column)."""
    if amount is None or amount != amount:
        return ""
    return f"{Decimal(amount):,.2f} {currency or UNKNOWN_CURRENCY}"


def totals(rows: list[dict]) -> str | None:
    """'Total 4,097.00 SEK', or for several currencies each sum on its own, saying they are not added up."""
    sums: dict[str | None, Decimal] = {}
    for row in rows:
        if row.get("amount") is not None:
            sums[row.get("currency")] = sums.get(row.get("currency"), Decimal(0)) + Decimal(row["amount"])
    if not sums:
        return None
    if len(sums) == 1:
        (currency, total), = sums.items()
        return f"Total {money(total, currency)}"
    parts = " · ".join(money(total, currency) for currency, total in sorted(sums.items(), key=lambda i: i[0] or ""))
    return f"Amounts in {len(sums)} currencies, not added together: {parts}"
