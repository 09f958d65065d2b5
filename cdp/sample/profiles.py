"""Profiles of the sample population: how often each identity hazard occurs.

`default` is the population the bundled sample has always had. `messy` is data identity
resolution was not tuned on: every hazard that merges strangers or splits one person appears in
several variants, so that no rule can pass by keying on one symptom (a placeholder name, a
landline format, an exact name); and buyers who buy in ways the purchase predictions do not
assume (regularly, seasonally, or stopping at a moment of their own). Ground truth is written for
every profile alike.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleProfile:
    name: str
    # People who live with someone already in the population and share their phone.
    household_share: float = 0.03
    # Largest household; 2 means couples only. Members join a random existing household.
    household_max_size: int = 0  # 0: no limit, as the default profile always had
    # Of household members, the share who also use the household's one email (a family inbox).
    household_email_share: float = 0.0
    # Of household members, the share who share the family name (children, not spouses).
    household_family_name_share: float = 0.0
    # Names typed as people type them: middle name dropped, given name first, a letter lost.
    name_variant_share: float = 0.0
    # Walk-in POS orders: what the cashier types. Shares of walk-ins, the rest typed properly.
    walk_in_share: float = 0.35
    walk_in_real_name_share: float = 0.0  # store phone, but the customer's own name
    walk_in_empty_name_share: float = 0.0  # store phone and an empty name, no placeholder
    walk_in_cashier_mobile_share: float = 0.0  # the cashier's own mobile instead of the store's
    walk_in_email_share: float = 0.25  # the customer's own email still given
    # Stores whose "landline" is a mobile number (so no rule can key on the number's kind).
    mobile_store_phones: bool = False
    # People who give a shared company mailbox (info@, ketoan@) on forms.
    company_email_share: float = 0.0
    # People who got a recycled number: a phone someone else used years before.
    recycled_phone_share: float = 0.0
    # Junk values people type to avoid giving theirs; only the default's are in the blocklist.
    junk_email_share: float = 0.02
    junk_phone_share: float = 0.02
    unlisted_junk: bool = False
    # Buyers whose purchases follow another process than the one the predictions assume
    # (orders at random, exponential gaps; a chance of leaving right after each order). Shares
    # of buyers; the rest buy the default way.
    regular_buyer_share: float = 0.0  # reorder at near-regular intervals (replenishment)
    seasonal_buyer_share: float = 0.0  # buy only in the weeks before Tết, most years
    lapsing_buyer_share: float = 0.0  # stop at some moment of their own, not after an order
    # Chat (Zalo OA and Messenger). Shares of people, unless said otherwise.
    chat_zalo_share: float = 0.25  # talk to or follow an OA
    chat_messenger_share: float = 0.12  # message the Page
    chat_only_share: float = 0.05  # one more person, known to no other source, per person
    chat_lead_ad_share: float = 0.3  # of people who left a lead: open a thread from its ad
    # Of chatters: what they give. The rest never give a phone or an email.
    chat_info_share: float = 0.15  # fill the OA's info form (Zalo only)
    chat_phone_share: float = 0.15  # type their phone in a message
    chat_email_share: float = 0.05  # type their email in a message
    chat_other_phone_share: float = 0.03  # type a relative's phone (a delivery for them)
    chat_number_share: float = 0.1  # type digits that are no phone (order, price, date, bank)
    # Of Zalo accounts: one person on two OAs, the second of the same app (same
    # user_id_by_app) or of the other app (another); a family's account used by two people;
    # unfollows (some follow again later).
    chat_second_oa_share: float = 0.1
    chat_other_app_share: float = 0.05
    chat_family_account_share: float = 0.02
    chat_unfollow_share: float = 0.08
    # Of Messenger chatters: on the second Page too (a second PSID).
    chat_second_page_share: float = 0.03


DEFAULT = SampleProfile("default")

MESSY = SampleProfile(
    "messy",
    household_share=0.08,
    household_max_size=6,
    household_email_share=0.3,
    household_family_name_share=0.6,
    name_variant_share=0.3,
    walk_in_share=0.4,
    walk_in_real_name_share=0.25,
    walk_in_empty_name_share=0.3,
    walk_in_cashier_mobile_share=0.15,
    walk_in_email_share=0.2,
    mobile_store_phones=True,
    company_email_share=0.03,
    recycled_phone_share=0.01,
    junk_email_share=0.03,
    junk_phone_share=0.03,
    unlisted_junk=True,
    regular_buyer_share=0.15,
    seasonal_buyer_share=0.1,
    lapsing_buyer_share=0.25,
    chat_zalo_share=0.3,
    chat_messenger_share=0.15,
    chat_only_share=0.08,
    chat_lead_ad_share=0.4,
    chat_info_share=0.2,
    chat_phone_share=0.2,
    chat_email_share=0.08,
    chat_other_phone_share=0.08,
    chat_number_share=0.25,
    chat_second_oa_share=0.2,
    chat_other_app_share=0.12,
    chat_family_account_share=0.06,
    chat_unfollow_share=0.15,
    chat_second_page_share=0.12,
)

PROFILES = {profile.name: profile for profile in (DEFAULT, MESSY)}
