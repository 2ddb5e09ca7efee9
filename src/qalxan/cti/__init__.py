"""Cyber threat intelligence for the national CERT: STIX 2.1 store, TAXII 2.1, MISP."""
