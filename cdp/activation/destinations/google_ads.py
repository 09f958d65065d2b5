"""Google Ads Customer Match: upload files of SHA-256 hashes of the normalized email and phone,
under the headers of Google's upload template."""

from cdp.activation.destinations.files import UploadFile
from cdp.activation.identifiers import google_phone, normalized_email, sha256
from cdp.activation.state import Change


class GoogleAds(UploadFile):
    name = "google_ads"
    kinds = frozenset({"csv", "googleads"})
    receives = "hashed emails and phones (upload files)"
    identifier_matched = True
    header = ("Email", "Phone")

    def can_receive(self, email: str | None, phone: str | None) -> bool:
        return bool(email or phone)

    def row(self, change: Change) -> list[str]:
        return [sha256(normalized_email(change.email)), sha256(google_phone(change.phone))]


DESTINATION = GoogleAds()
