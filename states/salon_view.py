"""One turn's view of the salon: the catalogue, looked up by name and by id."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from states.faq import SalonFaq
from states.salon import Company, Master, SalonBackend, Service
from states.slot_fill import Catalogue
from states.wording import human_duration, human_list, human_price


def _norm(name: str) -> str:
    return name.strip().lower().replace("ё", "е")


@dataclasses.dataclass(frozen=True)
class SalonView:
    company: Company
    services: tuple[Service, ...]
    masters: tuple[Master, ...]
    faq: SalonFaq = dataclasses.field(default_factory=SalonFaq)

    @classmethod
    async def load(cls, backend: SalonBackend, faq: SalonFaq | None = None) -> SalonView:
        # The backend caches the catalogue, so this costs no request on most turns.
        company, services = await backend.company(), await backend.services()
        return cls(company, services, await backend.masters(), faq or SalonFaq())

    def hours_text(self, lang: str) -> str:
        """The salon's own words for its hours: the FAQ file, else YClients' `schedule`."""
        return self.faq.text("hours", lang) or self.company.schedule

    @property
    def catalogue(self) -> Catalogue:
        return Catalogue.of([s.title for s in self.services], [m.name for m in self.masters])

    def service_named(self, name: str) -> Service | None:
        wanted = _norm(name)
        return next((s for s in self.services if _norm(s.title) == wanted), None)

    def master_named(self, name: str) -> Master | None:
        wanted = _norm(name)
        return next((m for m in self.masters if _norm(m.name) == wanted), None)

    def service(self, service_id: int) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def master(self, staff_id: int) -> Master | None:
        return next((m for m in self.masters if m.id == staff_id), None)

    def masters_for(self, service_ids: Sequence[int]) -> tuple[Master, ...]:
        """Bookable masters who do every one of the services."""
        wanted = set(service_ids)
        return tuple(m for m in self.masters if m.bookable and wanted <= m.service_ids)

    def master_name(self, staff_id: int | None) -> str:
        master = self.master(staff_id) if staff_id else None
        return master.name if master else "?"

    def services_title(self, service_ids: Iterable[int], lang: str) -> str:
        return human_list([s.title for i in service_ids if (s := self.service(i))], lang)

    def price(self, service_ids: Iterable[int], lang: str) -> str:
        chosen = [s for i in service_ids if (s := self.service(i))]
        low = sum(s.price_min for s in chosen)
        high = sum(s.price_max for s in chosen)
        return human_price(low, high, lang)

    def duration(self, service: Service, lang: str) -> str:
        return human_duration(service.duration_s, lang) if service.duration_s else ""

    def service_examples(self, limit: int = 5) -> str:
        return ", ".join([s.title.lower() for s in self.services if s.bookable][:limit])
