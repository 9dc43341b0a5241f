"""Shipments (寄递): ``booking`` — the parcel on record and booked once (the ``book_parcel`` job), the
clerk's record of it, the booking deadline; ``tracking`` — courier events, each recorded once."""
