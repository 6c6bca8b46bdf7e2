"""Pure functions from connector records to Xero payloads and back (no I/O, no ORM queries).

Read side by side with the field mapping tables of Procore's Xero connector (../shared/seeds/003_*.txt).
Callers load related objects (select_related / lines) first.
"""
