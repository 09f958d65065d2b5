"""Meta Custom Audiences: upload files of SHA-256 hashes of the normalized email and phone, under
the lower-case identifier keys of Meta's customer list (Ads Manager and the Marketing API's
EMAIL/PHONE schema take the same normalized hashes)."""

from cdp.activation.destinations.files import UploadFile
from cdp.activation.identifiers import meta_phone, normalized_email, sha256
from cdp.activation.state import Change


class Meta(UploadFile):
    name = "meta"
    kinds = frozenset({"csv", "meta"})
    receives = "hashed emails and phones (upload files)"
    identifier_matched = True
    header = ("email", "phone")

    def can_receive(self, email: str | None, phone: str | None) -> bool:
        return bool(email or phone)

    def row(self, change: Change) -> list[str]:
        return [sha256(normalized_email(change.email)), sha256(meta_phone(change.phone))]


DESTINATION = Meta()
