"""Every destination, one line each: the name an audience declares, and its module.

Delivery, the Dagster assets, the data map and erasure read this list; a new destination is a
module implementing `base.Destination` and a line here (docs/how-to/add-a-destination.md).
"""

from cdp.activation.destinations import csv_file, google_ads, hubspot, meta, webhook, zalo_zns
from cdp.activation.destinations.base import Destination

DESTINATIONS: dict[str, Destination] = {module.DESTINATION.name: module.DESTINATION for module in (
    meta,
    google_ads,
    csv_file,
    webhook,
    hubspot,
    zalo_zns,
)}
