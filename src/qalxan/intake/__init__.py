"""Incident intake: reports from any agency, typed, geolocated, de-duplicated into incidents,
graded for severity and routed to the agencies whose mandate covers them."""
