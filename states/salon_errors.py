"""Errors the salon backend raises and the dialogue catches.

The YClients adapter maps every failure to one of these at its boundary, so `states/`
never sees an HTTP library. Every error carries what YClients said: HTTP status, the
booking code (431–438, [APIB] "book_check / book_record" table), the appointment id the
code is about, field errors and the message text.
"""

from __future__ import annotations

from collections.abc import Mapping

from states.errors import AiAdminError

FieldErrors = Mapping[str, tuple[str, ...]]


class SalonError(AiAdminError):
    """Root of every failure of the salon backend (YClients or the sandbox)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        appointment_id: int | None = None,
        field_errors: FieldErrors | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.appointment_id = appointment_id
        self.field_errors: dict[str, tuple[str, ...]] = dict(field_errors or {})

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.code}, "
            f"appointment_id={self.appointment_id}, message={self.message!r})"
        )


class ScheduleUnavailable(SalonError):
    """YClients did not answer usefully (5xx, 429, timeout) even after retries."""


class BookingOutcomeUnknown(ScheduleUnavailable):
    """`book_record` got no clear answer and the booking could not be looked up.

    The booking may or may not exist; the caller must not book again blindly.
    """


class SalonAuthError(SalonError):
    """401/402/403: a token is missing or invalid, the licence expired, no rights."""


class SalonNotFound(SalonError):
    """404: branch, staff, record or another entity does not exist."""


class RequestRejected(SalonError):
    """400/422 (or `success: false` on 2xx) outside the booking codes: a validation error."""


class BookingRejected(RequestRejected):
    """YClients refused an appointment in `book_check` / `book_record` / reschedule."""


class BadPhone(BookingRejected):
    """431: the phone number has the wrong format."""


class WrongSmsCode(BookingRejected):
    """432: wrong SMS confirmation code."""


class SlotTaken(BookingRejected):
    """433: the slot is already taken (`appointment_id` says which appointment)."""


class PhoneBlacklisted(BookingRejected):
    """434 (HTTP 403): the phone number is blacklisted in this branch."""


class NameMissing(BookingRejected):
    """435: the client's name is missing."""


class NoFreeMaster(BookingRejected):
    """436: no master is free for `staff_id: 0` ("any master")."""


class AppointmentsOverlap(BookingRejected):
    """437: two appointments of one request overlap."""


class ServiceNotBookable(BookingRejected):
    """438: the service is no longer bookable (inactive, or the master does not do it)."""


BOOKING_ERRORS_BY_CODE: Mapping[int, type[BookingRejected]] = {
    431: BadPhone,
    432: WrongSmsCode,
    433: SlotTaken,
    434: PhoneBlacklisted,
    435: NameMissing,
    436: NoFreeMaster,
    437: AppointmentsOverlap,
    438: ServiceNotBookable,
}
