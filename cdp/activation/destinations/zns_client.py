"""Zalo Notification Service (ZNS): one template message to one phone, and what Zalo's answer
means for it.

The request, as Zalo documents it: `POST {base}/message/template`, the OA's token in the header
`access_token`, body `{"phone": "84xxxxxxxxx", "template_id", "template_data": {...},
"tracking_id"}`. Zalo answers HTTP 200 with `{"error": 0, "message": "Success", "data":
{"msg_id", "sent_time", "quota": {"dailyQuota", "remainingQuota"}}}`, or with a negative
`error` saying why not (the codes below). `tracking_id` is the caller's own mark, "for
reconciliation, without depending on the msg_id" (Zalo's field description as its partners'
API docs copy it, e.g. docs.etelecom.vn "Send ZNS"): no source found says Zalo de-duplicates
on it, and the status look-up Zalo offers (`/message/status`) takes the `msg_id` and phone,
which a lost answer never gave. So a request whose answer is lost (a read timeout, a dropped
connection after sending, a delivery killed while waiting) is *in doubt*: never sent again.

Retried here, with backoff: HTTP 429 (after its Retry-After) and 5xx, Zalo's -100 ("unknown
error, please try again later"), and a connection that could not be opened (nothing was
sent). Requests are paced to `CDP_ZALO_ZNS_RATE_PER_SECOND`, retries included.
"""

import random
import time
from dataclasses import dataclass

import requests
from urllib3.exceptions import ConnectTimeoutError

from cdp.activation.http import RetryPolicy

# Zalo's error codes as the delivery treats them. Sources, which agree on each code used here:
# - Zalo's own table, "Cách xử lý mã lỗi" (https://zalo.cloud/zns/guidelines/handle-error-code;
#   Zalo Cloud is now Zalo Business Solutions), read from -100 to -112: -100 unknown error
#   ("try again later"), -108 phone number invalid, -109 template id invalid, -110 Zalo version
#   unsupported, -111 template data empty, -112 template data invalid.
# - Zalo Business Solutions' FAQ on reports and opting out ("Báo xấu mẫu thông báo ZNS được ghi
#   nhận khi nào?"): a user who stopped the OA's ZNS notifications is answered "-141 User
#   refused to receive ZNS"; since 07/01/2025 stopping is for all of an OA's ZNS, no longer per
#   tag. No other code for a user who blocked the OA was found: -141 is taken as that.
# - The rest of the same table, as open-source integrations copy it whole (an Odoo module's
#   `_LOG_API_ZALO`, a PHP client's ZNS error list, a TypeScript client's), and a Zalo partner's
#   help page (helpdesk.getfly.vn, "Câu hỏi về ZNS"): -113 button invalid, -114 "user did not
#   receive the ZNS: account status, ZNS receiving preference, old Zalo version or other
#   internal errors", -117 OA or app may not use this template, -118 Zalo account does not
#   exist or is disabled, -119 account cannot receive ZNS, -121 template without content, -124
#   access token invalid, -130 content over the length limit, -131 template not approved, -133
#   template may not be sent at night (22:00-06:00), -134 user has not answered the OA's
#   invitation to receive ZNS, -139 user refused this type of ZNS, -140 OA may not send
#   after-sale ZNS to this user, -141 user refused ZNS from the OA, -144 OA exceeded its daily
#   ZNS limit, -1441 monthly promotion quota exceeded, -145 OA may not send this kind of
#   content, -146 template disabled for low quality, -147 template exceeded its daily limit.
# Where they disagree: -115 is "Out of quota" in the getfly page's English and "Tài khoản ZNS
# không đủ số dư" (the ZNS account's balance is too low) in every Vietnamese copy; either way
# nothing more goes today, so it stops the delivery like -144. The partner-written copies add
# sub-codes (-1441, -1471, -1351 …) the older ones lack. No source found documents a ZNS code
# for a rate limit: HTTP 429 is taken as one and retried, like -100.
SENT = 0
RETRIED = {-100}
BLOCKED = {-141}  # the user stopped (blocked) the OA's ZNS notifications
OPTED_OUT = {-139}  # the user refused this type of ZNS
INVALID_PHONE = {-108}
# This message cannot reach this user; another template may (not sent again).
UNDELIVERABLE = {-110, -114, -118, -119, -134, -140}
QUOTA = {-144, -1441, -115}  # nothing more goes today: the rest waits for the next delivery
TEMPLATE_QUOTA = {-147}  # nothing more of this template today
TOKEN = {-124}
# The template cannot go (unknown, not approved, disabled, not at night, not this content):
# nothing more of it tonight. A refusal of one message's data (-111, -112, -130) is that
# message's own: it stays owed and the others go.
TEMPLATE = {-109, -113, -117, -121, -131, -133, -145, -146}

# What each code means, for the delivery's report (never Zalo's own text, which may quote what
# was sent).
MEANINGS = {
    -100: "unknown error", -108: "phone number invalid", -109: "template id invalid",
    -110: "Zalo version unsupported", -111: "template data empty", -112: "template data invalid",
    -113: "button invalid", -114: "user cannot receive ZNS now",
    -115: "out of quota (account balance too low)", -117: "OA or app may not use this template",
    -118: "no Zalo account, or disabled", -119: "account cannot receive ZNS",
    -121: "template without content", -124: "access token invalid",
    -130: "content over the length limit", -131: "template not approved",
    -133: "template may not be sent at night (22:00-06:00)",
    -134: "user has not accepted the OA's ZNS", -139: "user refused this type of ZNS",
    -140: "after-sale ZNS not allowed for this user", -141: "user refused ZNS from the OA",
    -144: "the OA's daily ZNS quota is spent", -1441: "monthly promotion quota spent",
    -145: "OA may not send this content", -146: "template disabled for low quality",
    -147: "the template's daily quota is spent",
}


@dataclass(frozen=True)
class Answer:
    status: str  # sent, in_doubt, blocked, opted_out, invalid_phone, undeliverable, quota, failed
    error_code: int | None = None
    error_message: str | None = None
    msg_id: str | None = None
    remaining_quota: int | None = None  # what Zalo says is left of the OA's daily quota
    stops: str | None = None  # "all" or "template": nothing more of that goes today

    def meaning(self) -> str:
        """For the report: the code and what it means, or what went wrong without one."""
        if self.error_code is None:
            return self.error_message or self.status
        meaning = MEANINGS.get(self.error_code, "see Zalo's error table")
        return f"error {self.error_code}: {meaning}"

    @property
    def final(self) -> bool:
        """The message is settled: sent (or maybe sent), or never to be sent."""
        return self.status not in ("quota", "failed")


def answer_of(code: int, message: str | None, data: dict | None = None) -> Answer:
    """What an HTTP 200 of Zalo's means, by its `error`."""
    if code == SENT:
        quota = (data or {}).get("quota") or {}
        remaining = quota.get("remainingQuota")
        return Answer("sent", 0, message, str((data or {}).get("msg_id") or "") or None,
                      int(remaining) if str(remaining).lstrip("-").isdigit() else None)
    for codes, status, stops in ((BLOCKED, "blocked", None), (OPTED_OUT, "opted_out", None),
                                 (INVALID_PHONE, "invalid_phone", None),
                                 (UNDELIVERABLE, "undeliverable", None),
                                 (QUOTA, "quota", "all"), (TEMPLATE_QUOTA, "quota", "template"),
                                 (TOKEN, "failed", "all"), (TEMPLATE, "failed", "template")):
        if code in codes:
            return Answer(status, code, message, stops=stops)
    return Answer("failed", code, message)


class ZnsClient:
    def __init__(self, base_url: str, token: str, policy: RetryPolicy, rate_per_second: float):
        self.url = base_url.rstrip("/") + "/message/template"
        self.policy = policy
        self.interval = 1 / rate_per_second
        self.session = requests.Session()
        # The token goes in this header only: never in a URL, a log line or an error.
        self.session.headers.update({"access_token": token,
                                     "Content-Type": "application/json"})
        self._last_request = 0.0

    def send(self, phone: str, template_id: str, template_data: dict[str, str],
             tracking_id: str) -> Answer:
        body = {"phone": phone, "template_id": template_id, "template_data": template_data,
                "tracking_id": tracking_id}
        code, problem = None, ""
        for attempt in range(1, self.policy.attempts + 1):
            self._pace()
            try:
                response = self.session.post(self.url, json=body,
                                             timeout=self.policy.timeout_seconds)
            except requests.ConnectionError as error:
                if not _never_sent(error):
                    return Answer("in_doubt", None, f"{type(error).__name__}: no answer")
                problem, wait = "connection refused", self._backoff(attempt)
            except requests.Timeout as error:  # the request went: Zalo may have taken it
                return Answer("in_doubt", None, f"{type(error).__name__}: no answer")
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                    requests.exceptions.InvalidSchema) as error:  # nothing went
                return Answer("failed", None, f"{type(error).__name__}: check "
                              "CDP_ZALO_ZNS_BASE_URL", stops="all")
            except requests.RequestException as error:  # went, and the answer was unreadable
                return Answer("in_doubt", None, f"{type(error).__name__}: no answer")
            else:
                if response.status_code == 429:
                    problem, wait = "HTTP 429", self._retry_after(response, attempt)
                elif response.status_code >= 500:
                    problem, wait = f"HTTP {response.status_code}", self._backoff(attempt)
                else:
                    answer = _read(response)
                    if answer.error_code not in RETRIED:
                        return answer
                    code, problem = answer.error_code, f"Zalo error {answer.error_code}"
                    wait = self._backoff(attempt)
            if attempt < self.policy.attempts:
                time.sleep(wait)
        return Answer("failed", code, f"{problem} after {self.policy.attempts} attempts")

    def _pace(self) -> None:
        wait = self._last_request + self.interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()

    def _backoff(self, attempt: int) -> float:
        wait = self.policy.first_wait_seconds * 2 ** (attempt - 1)
        return min(self.policy.max_wait_seconds, wait * (0.5 + random.random() / 2))

    def _retry_after(self, response: requests.Response, attempt: int) -> float:
        try:
            return min(self.policy.max_wait_seconds,
                       max(0.0, float(response.headers.get("Retry-After", ""))))
        except ValueError:
            return self._backoff(attempt)

    def close(self) -> None:
        self.session.close()


def _read(response: requests.Response) -> Answer:
    """A 2xx or 4xx answer (429 aside) as what it means for the message."""
    if response.status_code in (401, 403):
        return Answer("failed", None, f"HTTP {response.status_code}", stops="all")
    if response.status_code >= 300:
        return Answer("failed", None, f"HTTP {response.status_code}")
    try:
        payload = response.json()
        code = int(payload["error"])
    except (ValueError, KeyError, TypeError):
        # Zalo took the request and said something we cannot read: it may have sent it.
        return Answer("in_doubt", None, "HTTP 200 without Zalo's `error`")
    message = payload.get("message")
    return answer_of(code, message if isinstance(message, str) else None, payload.get("data"))


def _never_sent(error: requests.ConnectionError) -> bool:
    """Whether the connection failed before the request went (refused, unreachable, a connect
    timeout): only then is sending again safe. A connection dropped after sending is not."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0] if error.args else None, "reason", None)
    # urllib3's NewConnectionError (refused, unreachable) is a ConnectTimeoutError.
    return isinstance(reason, ConnectTimeoutError)
