"""How numbers are written for Norwegian readers, in one place for the pages, the reports and the audit trail."""


def number_text(number):
    """A number as Norwegian readers write it: a space between thousands, a decimal comma, at most two decimals and
    none that say nothing («41 000», «9,5», «0»)."""
    text = f"{float(number):,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u00a0").replace(".", ",")
