"""A plain CSV for email and SMS tools (Mailchimp, Klaviyo-style imports): customer id, email and
phone in clear, so the files are readable by their owner only (0600). Every member goes, with
or without an email or phone (the customer id names them)."""

from cdp.activation.destinations.files import UploadFile
from cdp.activation.identifiers import normalized_email
from cdp.activation.state import Change


class CsvFile(UploadFile):
    name = "csv"
    kinds = frozenset({"csv"})
    receives = "customer ids, emails and phones in clear (upload files)"
    header = ("customer_id", "email", "phone")
    private = True

    def row(self, change: Change) -> list[str]:
        return [change.customer_id, normalized_email(change.email) or "", change.phone or ""]


DESTINATION = CsvFile()
