"""Watchlist screening: lawful lists as FollowTheMoney entities, list versions with their
changes, a candidate index with explained scores, and the officers' decisions on hits."""
