"""One exception tree for tracker. Exceptions never log; the CLI turns them into one line naming the input.

    TrackerError
    ├── ConfigError                  bad settings or sources file
    ├── FetchError                   (url) a URL could not be fetched
    │   ├── HTTPStatusError          (status) 4xx/5xx after retries
    │   ├── TransportError           timeout, reset, truncated body after retries
    │   ├── TooLargeError            response over the byte cap
    │   ├── OffAllowlistError        a link or redirect to a host outside the configured sources
    │   └── RobotsDisallowedError    robots.txt forbids the path
    ├── ParseError                   (url) the bytes are not what the page or annex should be
    │   ├── PageRemovedError         HTTP 200 with the portal shell and no article
    │   ├── MissingMetadataError     no 【发布文号】/【发文日期】 fields, no recognisable number
    │   ├── NeedsOCRError            PDF without a text layer or with (cid:N) garbage
    │   ├── EncryptedPDFError
    │   └── CorruptDocumentError     unreadable PDF or undecodable bytes
    ├── UnsafeLinkError              an annex link with '..' path segments
    └── StoreError                   the store is missing, locked or from a newer version
"""

from __future__ import annotations


class TrackerError(Exception):
    """Root of every error tracker raises on purpose."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url

    def one_line(self) -> str:
        text = " ".join(str(self).split())
        return f"{self.url}: {text}" if self.url and self.url not in text else text


class ConfigError(TrackerError):
    pass


class FetchError(TrackerError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class TransportError(FetchError):
    pass


class TooLargeError(FetchError):
    pass


class OffAllowlistError(FetchError):
    pass


class RobotsDisallowedError(FetchError):
    pass


class ParseError(TrackerError):
    pass


class PageRemovedError(ParseError):
    pass


class MissingMetadataError(ParseError):
    pass


class NeedsOCRError(ParseError):
    pass


class EncryptedPDFError(ParseError):
    pass


class CorruptDocumentError(ParseError):
    pass


class UnsafeLinkError(TrackerError):
    pass


class StoreError(TrackerError):
    pass
