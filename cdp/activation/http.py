"""One HTTP request with the retries every delivery needs: 429 (waiting as Retry-After says),
5xx, timeouts and dropped connections are retried with exponential backoff; any other 4xx is a
permanent refusal and is not."""

import random
import time
from dataclasses import dataclass

import requests


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_wait_seconds: float = 1.0
    max_wait_seconds: float = 60.0
    timeout_seconds: float = 30.0


class DeliveryError(RuntimeError):
    """A request the destination refused, or that kept failing through every retry."""


def send(session: requests.Session, method: str, url: str, policy: RetryPolicy,
         **request) -> requests.Response:
    last_problem = ""
    for attempt in range(1, policy.attempts + 1):
        try:
            response = session.request(method, url, timeout=policy.timeout_seconds, **request)
        except (requests.ConnectionError, requests.Timeout) as error:
            last_problem = type(error).__name__
            wait = _backoff(policy, attempt)
        else:
            if response.status_code < 300:
                return response
            last_problem = f"HTTP {response.status_code}"
            if response.status_code == 429:
                wait = _retry_after(response, policy, attempt)
            elif response.status_code >= 500:
                wait = _backoff(policy, attempt)
            else:
                # The body may quote what was sent (an email): only its error category.
                raise DeliveryError(f"{last_problem} refused{_category(response)}")
        if attempt < policy.attempts:
            time.sleep(wait)
    raise DeliveryError(f"{last_problem} after {policy.attempts} attempts")


def _backoff(policy: RetryPolicy, attempt: int) -> float:
    wait = policy.first_wait_seconds * 2 ** (attempt - 1)
    return min(policy.max_wait_seconds, wait * (0.5 + random.random() / 2))


def _retry_after(response: requests.Response, policy: RetryPolicy, attempt: int) -> float:
    header = response.headers.get("Retry-After", "")
    try:
        return min(policy.max_wait_seconds, max(0.0, float(header)))
    except ValueError:
        return _backoff(policy, attempt)


def _category(response: requests.Response) -> str:
    try:
        category = response.json().get("category")
    except (ValueError, AttributeError):
        return ""
    return f" ({category})" if isinstance(category, str) and category.isupper() else ""
